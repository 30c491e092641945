// SPDX-License-Identifier: GPL-2.0
/*
 * tty_picocom: a user's terminal program on a ttyDPC port. picocom (3.x) runs
 * on TTYDPC_PORT with stdin and stdout on pipes: a line typed into it must
 * reach the host (EXPECT), a line the host sends (PUT) must show on its
 * stdout, and it must exit by itself (--exit-after) with status 0.
 *
 * Needs TTYDPC_CTL, TTYDPC_PORT, TTYDPC_CHAN and picocom (PATH, or
 * TTYDPC_PICOCOM).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>

#include "ttydpc_harness.h"

#define EXIT_AFTER_MS 5000

static bool find_in_path(const char *prog, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char *dup, *dir, *save = NULL;
	bool found = false;

	if (!path)
		path = "/bin:/sbin:/usr/bin:/usr/sbin";
	dup = strdup(path);
	for (dir = strtok_r(dup, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", dir, prog);
		if (access(out, X_OK) == 0) {
			found = true;
			break;
		}
	}
	free(dup);
	return found;
}

FIXTURE(pc) {
	struct tt_ctl ctl;
	const char *port, *chan;
	char picocom[PATH_MAX];
	pid_t pid;
	int in, out;
};

FIXTURE_SETUP(pc)
{
	self->pid = -1;
	self->in = self->out = -1;
	self->port = tt_env("TTYDPC_PORT");
	self->chan = tt_env("TTYDPC_CHAN");
	TT_NEED_HOST(&self->ctl);
	if (!self->port)
		SKIP(return, "TTYDPC_PORT unset");
	if (tt_env("TTYDPC_PICOCOM"))
		snprintf(self->picocom, sizeof(self->picocom), "%s", tt_env("TTYDPC_PICOCOM"));
	else if (!find_in_path("picocom", self->picocom, sizeof(self->picocom)))
		SKIP(return, "picocom not found in PATH");
}

FIXTURE_TEARDOWN(pc)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->in >= 0)
		close(self->in);
	if (self->out >= 0)
		close(self->out);
	tt_ctl_close(&self->ctl);
}

/* Read from fd into buf (appending) until needle shows up or tmo_ms pass. */
static bool read_until(int fd, char *buf, size_t size, size_t *len,
		       const char *needle, int tmo_ms)
{
	uint64_t end = tt_now_ms() + tmo_ms;

	while (!strstr(buf, needle)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = tt_now_ms();
		ssize_t r;

		if (now >= end || *len + 1 >= size)
			return false;
		if (poll(&p, 1, end - now) <= 0)
			continue;
		r = read(fd, buf + *len, size - 1 - *len);
		if (r <= 0)
			return false;
		*len += r;
		buf[*len] = 0;
	}
	return true;
}

TEST_F_TIMEOUT(pc, typed_line_and_received_line, 120)
{
	char typed[64], shown[64], hex[2 * 64 + 1], reply[256];
	char outbuf[4096] = "", exit_after[16];
	int inp[2], outp[2], r, status = 0;
	size_t outlen = 0;
	uint64_t t0;

	snprintf(typed, sizeof(typed), "typed-into-picocom-%d", getpid());
	snprintf(shown, sizeof(shown), "sent-by-host-%d", getpid());
	snprintf(exit_after, sizeof(exit_after), "%d", EXIT_AFTER_MS);

	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "FLUSH %s", self->chan));
	ASSERT_EQ(0, pipe(inp));
	ASSERT_EQ(0, pipe(outp));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (self->pid == 0) {
		dup2(inp[0], 0);
		dup2(outp[1], 1);
		dup2(outp[1], 2);
		close(inp[0]);
		close(inp[1]);
		close(outp[0]);
		close(outp[1]);
		execl(self->picocom, "picocom", "-b", "115200", "-q",
		      "--exit-after", exit_after, self->port, (char *)NULL);
		_exit(127);
	}
	close(inp[0]);
	close(outp[1]);
	self->in = inp[1];
	self->out = outp[0];

	/* guest -> host: type a line into picocom */
	{
		char line[80];
		int n = snprintf(line, sizeof(line), "%s\r\n", typed);

		ASSERT_EQ(n, write(self->in, line, n));
	}
	r = tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 30000, "EXPECT %s 20 %s",
		       self->chan, typed);
	EXPECT_EQ(1, r) TH_LOG("host never saw '%s' (EXPECT: %s)", typed,
			       r < 0 ? strerror(-r) : reply);

	/* host -> guest: picocom prints what the host sends */
	{
		char line[80];
		int n = snprintf(line, sizeof(line), "%s\r\n", shown);

		tt_hex_encode(hex, (const uint8_t *)line, n);
	}
	r = tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "PUT %s %s", self->chan, hex);
	ASSERT_EQ(1, r) TH_LOG("PUT: %s", r < 0 ? strerror(-r) : reply);
	EXPECT_TRUE(read_until(self->out, outbuf, sizeof(outbuf), &outlen, shown, 20000))
		TH_LOG("picocom printed: '%s'", outbuf);

	/* it exits by itself once idle, cleanly */
	t0 = tt_now_ms();
	close(self->in);
	self->in = -1;
	for (;;) {
		pid_t w = waitpid(self->pid, &status, WNOHANG);

		if (w == self->pid) {
			self->pid = -1;
			break;
		}
		if (tt_now_ms() - t0 > EXIT_AFTER_MS + 20000)
			break;
		usleep(50000);
	}
	EXPECT_EQ(-1, self->pid) TH_LOG("picocom still running %d ms after --exit-after %d",
					 (int)(tt_now_ms() - t0), EXIT_AFTER_MS);
	if (self->pid == -1) {
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("picocom exit status 0x%x, output: %s", status, outbuf);
	}
}

TEST_HARNESS_MAIN
