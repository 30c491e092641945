# tap_failures.awk: from a kselftest TAP stream, print each failed case
# together with what it logged (assertion messages, TH_LOG and ksft_print_msg
# lines), so a CI log names the check that failed, not just the case.
#
# A case's output runs from the previous result line (or its "#  RUN"
# line) to its own "not ok"; a case that logged more than MAX lines shows
# its last MAX.
# Usage: tr -d '\r' <console.log | awk -f tap_failures.awk [-v MAX=12]

BEGIN { if (!MAX) MAX = 12 }

/^[[:space:]#]*#  RUN / { n = 0 }

/^[[:space:]#]*(not )?ok [0-9]+/ {
	if ($0 ~ /not ok [0-9]+/) {
		for (i = (n > MAX ? n - MAX : 0); i < n; i++)
			print buf[i % MAX]
		print
	}
	n = 0
	next
}

{ buf[n++ % MAX] = $0 }
