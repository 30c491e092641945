# tap_skips.awk: every skipped case of a run_tests.sh TAP stream, one line
# each: "PROGRAM CASE REASON". A program that skipped whole (its own plan
# "1..0 # SKIP", or run_tests.sh's "ok N selftests: ttydpc: P # SKIP")
# gives CASE "*". Blanks in a case's name become "_". The 6.1 harness
# prints "ok N # SKIP reason" without the name: it comes from the case's
# "#  RUN" line. check.sh holds these against selftests/vm/expected-skips.
# Usage: tr -d '\r' <console.log | awk -f tap_skips.awk

function reason(s) {
	sub(/.*# *[Ss][Kk][Ii][Pp] */, "", s)
	return s == "" ? "-" : s
}

/^# selftests: ttydpc: [^ ]+$/ { prog = $4; run = ""; next }

# run_tests.sh's own line for a whole program.
/^ok [0-9]+ selftests: ttydpc: [^ ]+ # [Ss][Kk][Ii][Pp]/ {
	if (!whole[$5]) print $5, "*", reason($0)
	next
}

# The program's plan says it skipped everything.
/^# 1\.\.0 # [Ss][Kk][Ii][Pp]/ { whole[prog] = 1; print prog, "*", reason($0); next }

/^# #  RUN / { run = $4; next }

# A case inside a program (one "# " of nesting).
/^# ok [0-9]+ .*# [Ss][Kk][Ii][Pp]/ {
	name = $0
	sub(/^# ok [0-9]+ */, "", name)
	sub(/ *# *[Ss][Kk][Ii][Pp].*/, "", name)
	if (name == "") name = run
	gsub(/[ \t]+/, "_", name)
	print prog, (name == "" ? "?" : name), reason($0)
}
