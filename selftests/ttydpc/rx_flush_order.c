// SPDX-License-Identifier: GPL-2.0
/*
 * rx_flush_order: received data stays in order while tcflush(TCIFLUSH)
 * runs at random moments (issue 13, item 2).
 *
 * The host peer sends the selftests' xorshift32 stream to TTYDPC_PORT as
 * fast as the guest takes it; the test reads it and calls tcflush(TCIFLUSH)
 * every few milliseconds, and now and then stops reading for a while so the
 * tty layer fills up and the driver holds input back and retries from its
 * timer. The bytes read between two flushes (a run) must be one contiguous
 * piece of the stream, later than the run before: a run that skips bytes
 * (gap) or goes back (reorder, duplicate) fails; one that carries bytes not in
 * the stream (junk) is reported. Two producers of the tty flip buffer (the RX
 * completion of the port timer and of the RX object on another CPU) or a
 * push that lands after the flush show up as gaps and reorders.
 *
 * Needs the host peer. Runs TTYDPC_RXFO_SEC seconds (75); the reviewer saw
 * about one bad run per 2000 flushes on 2-vCPU guests before the fix.
 */
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <time.h>

#include "ttydpc_harness.h"

#define SEG_LEN		(256u << 10)	/* stream bytes per SEND */
#define RUN_MAX		(64u << 10)	/* a run is flushed at this size */
#define KEY		6		/* bytes that place a run in the stream */
#define SHOW_MAX	8		/* bad runs described in the log */

struct rxfo {
	uint8_t *s;		/* the segment's stream */
	size_t next;		/* stream offset after the last good run */
	unsigned long runs, short_runs, flushes, gaps, reorders, junk;
	unsigned long long bytes;
	uint64_t flush_ms, flush_max_ms;
	unsigned int shown;
};

static uint8_t run[RUN_MAX];

static long find(const uint8_t *s, size_t from, size_t to, const uint8_t *key)
{
	const uint8_t *hit;

	if (from >= to || to - from < KEY)
		return -1;
	hit = memmem(s + from, to - from, key, KEY);
	return hit ? hit - s : -1;
}

/* Check one run against the stream; count and describe what is wrong. */
static void check_run(struct rxfo *r, const uint8_t *b, size_t n)
{
	size_t i, lo;
	long at, q;
	const char *what = NULL;

	r->runs++;
	r->bytes += n;
	if (n < KEY) {
		r->short_runs++;
		return;
	}
	at = find(r->s, r->next, SEG_LEN, b);
	if (at < 0) {
		/* earlier than the last run's end, or not in the stream */
		at = find(r->s, 0, SEG_LEN, b);
		if (at >= 0) {
			r->reorders++;
			what = "starts before the previous run's end";
		} else {
			r->junk++;
			what = "starts with bytes not in the stream";
		}
		goto bad;
	}
	for (i = 0; i < n && (size_t)at + i < SEG_LEN; i++)
		if (b[i] != r->s[at + i])
			break;
	if (i == n) {
		r->next = at + n;
		return;
	}
	/* where does the run go on? */
	lo = (size_t)at + i > 65536 ? at + i - 65536 : 0;
	q = n - i >= KEY ? find(r->s, lo, SEG_LEN, b + i) : -1;
	if (q > at + (long)i) {
		r->gaps++;
		what = "skips bytes (gap)";
	} else if (q >= 0) {
		r->reorders++;
		what = "goes back (reorder)";
	} else {
		r->junk++;
		what = "carries bytes not in the stream";
	}
	if (r->shown < SHOW_MAX)
		ksft_print_msg("run %lu (%zu bytes at stream %ld): byte %zu is 0x%02x, want 0x%02x; "
			       "continues at %ld\n", r->runs, n, at, i, b[i],
			       r->s[at + i], q);
	r->next = at + i;
bad:
	if (r->shown++ < SHOW_MAX)
		ksft_print_msg("run %lu of %zu bytes after %lu flushes %s\n",
			       r->runs, n, r->flushes, what);
}

FIXTURE(rxfo) {
	char port[128];
	const char *chan;
	int fd;
	struct tt_ctl ctl;
};

FIXTURE_SETUP(rxfo)
{
	self->fd = -1;
	self->ctl.fd = -1;
	self->chan = tt_env("TTYDPC_CHAN");
	if (tt_pick_port(self->port, sizeof(self->port)))
		SKIP(return, "no /dev/ttyDPC* node");
	TT_NEED_HOST(&self->ctl);
	TT_OPEN_RAW(self->fd, self->port, 115200);
}

FIXTURE_TEARDOWN(rxfo)
{
	if (self->fd >= 0)
		close(self->fd);
	tt_ctl_close(&self->ctl);
}

/* Read and flush until nothing came for quiet_ms: the host's job ends. */
static void drain(int fd, int quiet_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		tcflush(fd, TCIFLUSH);
		if (poll(&pfd, 1, quiet_ms) <= 0)
			break;
		if (read(fd, run, sizeof(run)) <= 0)
			break;
	}
	tcflush(fd, TCIFLUSH);
}

/* Wait up to ms for input, then read what is there into run[*n..]. */
static int take(int fd, size_t *n, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t got;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	got = read(fd, run + *n, RUN_MAX - *n);
	if (got < 0)
		return errno == EAGAIN ? 0 : -errno;
	*n += got;
	return got;
}

TEST_F_TIMEOUT(rxfo, runs_between_flushes_are_contiguous, 600)
{
	long secs = tt_env_long("TTYDPC_RXFO_SEC", 75);
	unsigned int seed = tt_env_long("TTYDPC_RXFO_SEED", time(NULL));
	struct rxfo r = { 0 };
	uint64_t end, seg_start, last_data;
	struct tt_stream st;
	char reply[256];
	unsigned int seg = 0, i;

	/* the harness ends the child with _exit(): no buffered line may wait */
	setvbuf(stdout, NULL, _IOLBF, 0);
	r.s = malloc(SEG_LEN);
	ASSERT_NE(NULL, r.s);
	srandom(seed);
	ksft_print_msg("%s, %ld s, random seed %u\n", self->port, secs, seed);
	end = tt_now_ms() + secs * 1000;
	drain(self->fd, 200);
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "FLUSH %s",
				self->chan)) TH_LOG("FLUSH: %s", reply);

	while (tt_now_ms() < end) {
		size_t n = 0;

		/* a new segment: a new stream, a fresh start */
		tt_stream_init(&st, 0x5eed0000u + seg);
		tt_stream_fill(&st, r.s, SEG_LEN);
		r.next = 0;
		ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000,
					"SEND %s %u %u", self->chan, SEG_LEN,
					0x5eed0000u + seg)) TH_LOG("SEND: %s", reply);
		seg++;
		seg_start = last_data = tt_now_ms();
		while (tt_now_ms() < end && r.next < SEG_LEN - RUN_MAX &&
		       tt_now_ms() - last_data < 2000) {
			uint64_t flush_at = tt_now_ms() + random() % 5, t;
			int got;

			/* now and then stop reading: input backs up in the driver */
			if (random() % 64 == 0)
				usleep(100000 + random() % 200000);
			do {
				got = take(self->fd, &n, 1);
				ASSERT_LE(0, got) TH_LOG("read: %s", strerror(-got));
				if (got)
					last_data = tt_now_ms();
			} while (n < RUN_MAX && tt_now_ms() < flush_at);
			/* everything read so far precedes the flush */
			check_run(&r, run, n);
			n = 0;
			t = tt_now_ms();
			ASSERT_EQ(0, tcflush(self->fd, TCIFLUSH));
			t = tt_now_ms() - t;
			r.flush_ms += t;
			if (t > r.flush_max_ms)
				r.flush_max_ms = t;
			r.flushes++;
		}
		if (n)
			check_run(&r, run, n);
		/* the whole segment must be gone before the next one starts */
		for (i = 0; i < 20; i++) {
			drain(self->fd, 300);
			if (tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "WAIT %s 2",
				       self->chan) == 1)
				break;
		}
		/*
		 * "sent" is what the host wrote to its socket: what QEMU has
		 * not taken yet still comes, and must not start the next
		 * segment's first run.
		 */
		drain(self->fd, 1500);
		ksft_print_msg("segment %u: %llu ms, host: %s\n", seg,
			       (unsigned long long)(tt_now_ms() - seg_start), reply);
		ASSERT_GT(20u, i) TH_LOG("the host's SEND did not end");
		tt_ctl_cmd(&self->ctl, NULL, 0, 10000, "FLUSH %s", self->chan);
	}
	drain(self->fd, 300);
	free(r.s);

	ksft_print_msg("%lu flushes, %lu runs (%lu too short to place), %llu bytes read; "
		       "bad runs: %lu gap, %lu reorder, %lu junk; tcflush %llu ms on average, "
		       "%llu ms at most\n", r.flushes, r.runs, r.short_runs, r.bytes, r.gaps,
		       r.reorders, r.junk,
		       (unsigned long long)(r.flushes ? r.flush_ms / r.flushes : 0),
		       (unsigned long long)r.flush_max_ms);
	EXPECT_LT(500UL, r.flushes) TH_LOG("too few flushes to say anything");
	EXPECT_LT(100UL, r.runs - r.short_runs) TH_LOG("too few runs placed");
	/*
	 * Junk (bytes read from an empty FIFO after a purge: issue 13 item 4,
	 * the stale IIR) is reported here but tested on its own elsewhere.
	 */
	if (r.junk)
		ksft_print_msg("note: %lu run(s) with junk bytes\n", r.junk);
	EXPECT_EQ(0UL, r.gaps + r.reorders);
}

TEST_HARNESS_MAIN
