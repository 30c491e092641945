// SPDX-License-Identifier: GPL-2.0
/*
 * tty_flush_flood: a host->guest flood read while tcflush(TCIFLUSH) is
 * called at random moments. A flush may drop any amount of input, but
 * what is read must always be the host's stream in order: after each
 * flush the reader picks the stream up again at some later position and
 * from there on every byte must be the next one. Anything else is a
 * defect the user sees:
 *   junk  - bytes that are not in the stream at all: 0x00 is what QEMU's
 *           16550 returns for a read of an empty RBR, so a run of zeros
 *           that does not belong there is a read of an empty FIFO
 *           delivered as data (the handler trusting a stale IIR);
 *   gap   - bytes skipped with no flush in between;
 *   back  - bytes that came before (reordering, a repeat).
 * Each is counted; the run then resynchronises and goes on, so one run
 * says how often each happens. It fails if any happened.
 *
 * Knobs: TTYDPC_FLOOD_S (seconds, default 60), TTYDPC_FLOOD_MIB (stream
 * length, default 24). Needs the host peer (TTYDPC_CTL, TTYDPC_CHAN).
 * Meant for 2-vCPU guests (VM_SMP=2), where the hard IRQ handler and the
 * flush run on different CPUs; on one vCPU it passes trivially.
 */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <termios.h>

#include "ttydpc_harness.h"

#define SEED		0x5eed4
#define WIN		12		/* bytes that must match to resync */
#define JUNK_MAX	16		/* longest zero run taken as junk */
#define READ_CHUNK	4096
#define BURST		20		/* host bytes per burst */
#define BURST_GAP_US	500

struct flood {
	const uint8_t *s;	/* the stream */
	size_t n;		/* its length */
	size_t pos;		/* stream index of the next expected byte */
	bool sync;		/* pos is known (false right after a flush) */
	uint8_t pend[256];
	size_t npend;		/* received bytes not yet matched */
	unsigned long junk, gap, back, unknown, flushes, resyncs;
	size_t last_bad;	/* where it went out of step; -1: a flush */
	int logged;
};

/*
 * Does buf[0..len) continue the stream at q, allowing runs of junk zeros?
 * Returns bytes of buf consumed to match WIN stream bytes, 0 if not, and
 * counts the zeros skipped into *zeros.
 */
static size_t match_at(const struct flood *f, size_t q, const uint8_t *buf,
		       size_t len, unsigned int *zeros)
{
	size_t i = 0, k = 0;
	unsigned int run = 0;

	*zeros = 0;
	while (k < WIN) {
		if (i >= len || q + k >= f->n)
			return 0;
		if (buf[i] == f->s[q + k]) {
			i++;
			k++;
			run = 0;
		} else if (buf[i] == 0 && k > 0 && ++run <= JUNK_MAX) {
			i++;
			(*zeros)++;
		} else {
			return 0;
		}
	}
	return i;
}

static void log_bad(struct flood *f, const char *kind, size_t at, size_t q,
		    const uint8_t *buf, size_t len)
{
	char got[3 * 16 + 1] = "", want[3 * 16 + 1] = "";

	if (f->logged++ >= 10)
		return;
	for (size_t i = 0; i < 16 && i < len; i++)
		sprintf(got + 3 * i, " %02x", buf[i]);
	for (size_t i = 0; i < 16 && at + i < f->n; i++)
		sprintf(want + 3 * i, " %02x", f->s[at + i]);
	fprintf(stderr, "# %s at stream offset %zu (resumes at %zu, after %lu flushes)\n"
		"#   got: %s\n#  want: %s\n", kind, at, q, f->flushes, got, want);
}

/* First stream index >= from (or in [lo, from) when back) where buf fits. */
static size_t search(const struct flood *f, size_t lo, size_t hi,
		     const uint8_t *buf, size_t len, size_t *used,
		     unsigned int *zeros)
{
	for (size_t q = lo; q < hi; q++)
		if (f->s[q] == buf[0] &&
		    (*used = match_at(f, q, buf, len, zeros)))
			return q;
	*used = 0;
	return 0;
}

/*
 * Find where the pending bytes continue the stream: after a flush only
 * forward from pos, after a mismatch anywhere around the mismatch.
 * Returns bytes of pend consumed, or -1 when they fit nowhere.
 */
static long resync(struct flood *f)
{
	bool after_flush = f->last_bad == (size_t)-1;
	size_t from = after_flush ? f->pos : f->last_bad;
	size_t used = 0, q = 0, lead = 0;
	unsigned int zeros = 0;

	/* junk may come first: skip a leading run of zeros if needed */
	for (; lead <= JUNK_MAX && lead + WIN <= f->npend; lead++) {
		const uint8_t *b = f->pend + lead;
		size_t len = f->npend - lead;

		q = search(f, from, f->n, b, len, &used, &zeros);
		if (!used && !after_flush)
			q = search(f, from > 65536 ? from - 65536 : 0, from,
				   b, len, &used, &zeros);
		if (used || f->pend[lead] != 0)
			break;
	}
	if (!used)
		return -1;
	if (zeros || lead) {
		f->junk++;
		log_bad(f, "junk (zeros: reads of an empty RBR)", q, q, f->pend, f->npend);
	}
	if (!after_flush && q > from) {
		f->gap++;
		log_bad(f, "gap without a flush", from, q, f->pend, f->npend);
	} else if (!after_flush && q < from) {
		f->back++;
		log_bad(f, "bytes from earlier (reorder/repeat)", from, q, f->pend, f->npend);
	}
	f->resyncs += after_flush;
	f->pos = q + WIN;
	f->sync = true;
	return lead + used;
}

/* Feed received bytes; strict in-order matching while in sync. */
static int feed(struct flood *f, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (f->sync) {
			if (f->pos < f->n && buf[i] == f->s[f->pos]) {
				f->pos++;
				continue;
			}
			/* out of step: collect bytes and look for where they fit */
			f->sync = false;
			f->last_bad = f->pos;
		}
		f->pend[f->npend++] = buf[i];
		if (f->npend == sizeof(f->pend) || f->npend == WIN + JUNK_MAX) {
			uint8_t rest[sizeof(f->pend)];
			long used = resync(f);
			size_t nrest;

			if (used < 0) {
				if (f->npend < sizeof(f->pend))
					continue;	/* maybe a long junk run: more input */
				f->unknown++;
				log_bad(f, "bytes not in the stream", f->pos, f->pos,
					f->pend, f->npend);
				return -1;
			}
			nrest = f->npend - used;
			memcpy(rest, f->pend + used, nrest);
			f->npend = 0;
			if (feed(f, rest, nrest))
				return -1;
		}
	}
	return 0;
}

static void after_flush(struct flood *f)
{
	f->flushes++;
	f->sync = false;
	f->npend = 0;
	f->last_bad = (size_t)-1;	/* marks "resync forward from pos" */
}

/* The checker itself, on a made-up reception: it must see each defect. */
TEST(checker_sees_defects)
{
	static const uint8_t zeros[7];
	uint8_t garbage[300];
	size_t n = 1 << 20;
	struct flood f = { .sync = true };
	struct tt_stream st;
	uint8_t *s = malloc(n);

	ASSERT_NE(NULL, s);
	tt_stream_init(&st, SEED);
	tt_stream_fill(&st, s, n);
	f.s = s;
	f.n = n;
	/* clean: 1000 bytes, a flush, a cut of 5000, 1000 more */
	ASSERT_EQ(0, feed(&f, s, 1000));
	after_flush(&f);
	ASSERT_EQ(0, feed(&f, s + 6000, 1000));
	EXPECT_EQ(7000UL, f.pos);
	EXPECT_EQ(0UL, f.junk + f.gap + f.back);
	/* a flush, then one byte and 7 zeros (stale IIR), then the rest */
	after_flush(&f);
	ASSERT_EQ(0, feed(&f, s + 9000, 1));
	ASSERT_EQ(0, feed(&f, zeros, sizeof(zeros)));
	ASSERT_EQ(0, feed(&f, s + 9001, 500));
	EXPECT_EQ(1UL, f.junk);
	EXPECT_EQ(9501UL, f.pos);
	/* zeros in mid-stream, no flush */
	ASSERT_EQ(0, feed(&f, zeros, 3));
	ASSERT_EQ(0, feed(&f, s + 9501, 500));
	EXPECT_EQ(2UL, f.junk);
	/* a gap with no flush */
	ASSERT_EQ(0, feed(&f, s + 10100, 500));
	EXPECT_EQ(1UL, f.gap);
	/* a repeat */
	ASSERT_EQ(0, feed(&f, s + 10300, 500));
	EXPECT_EQ(1UL, f.back);
	/* garbage */
	memset(garbage, 0x55, sizeof(garbage));
	EXPECT_EQ(-1, feed(&f, garbage, sizeof(garbage)));
	EXPECT_EQ(1UL, f.unknown);
	free(s);
}

/*
 * Interrupts of the port on CPU 0, this process (and so the purge it
 * queues) on CPU 1: the handler and the flush then really overlap. Best
 * effort; says what it did.
 */
static void split_cpus(struct __test_metadata *_metadata, const char *port)
{
	char path[160], irq[16];
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		TH_LOG("one CPU: the race this test looks for cannot happen");
		return;
	}
	snprintf(path, sizeof(path), "/sys/class/tty/%s/irq", tt_basename(port));
	if (tt_read_file(path, irq, sizeof(irq)) > 0) {
		snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", irq);
		if (tt_write_file(path, "0"))
			TH_LOG("cannot steer IRQ %s to CPU 0", irq);
	}
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		TH_LOG("cannot pin to CPU 1: %s", strerror(errno));
}

TEST(flush_during_flood)
{
	long secs = tt_env_long("TTYDPC_FLOOD_S", 60);
	size_t n = (size_t)tt_env_long("TTYDPC_FLOOD_MIB", 24) << 20;
	const char *chan = tt_env("TTYDPC_CHAN");
	struct flood f = { .last_bad = 0 };
	char port[128], reply[512], trig_path[160], mode_path[160], mode_old[16] = "";
	uint8_t buf[READ_CHUNK];
	struct tt_stream st;
	uint8_t *s;
	struct tt_ctl ctl;
	uint64_t end, next_flush = 0;
	size_t since_flush = 0, total = 0;
	int fd, r;

	r = tt_ctl_open_env(&ctl);
	if (r <= 0 || !chan)
		SKIP(return, "no host peer (TTYDPC_CTL, TTYDPC_CHAN)");
	ASSERT_EQ(0, tt_pick_port(port, sizeof(port)));
	/*
	 * The deepest trigger level gives a stale trigger-level IIR the most
	 * bytes to over-read. Writing the level pins it; the old mode (auto
	 * or a pinned level) is put back at the end.
	 */
	snprintf(trig_path, sizeof(trig_path), "/sys/class/tty/%s/rx_trig_bytes",
		 tt_basename(port));
	snprintf(mode_path, sizeof(mode_path), "/sys/class/tty/%s/rx_trig_mode",
		 tt_basename(port));
	if (tt_read_file(mode_path, mode_old, sizeof(mode_old)) > 0 &&
	    tt_write_file(trig_path, "14"))
		mode_old[0] = 0;
	TT_OPEN_RAW(fd, port, 115200);
	split_cpus(_metadata, port);
	s = malloc(n);
	ASSERT_NE(NULL, s);
	tt_stream_init(&st, SEED);
	tt_stream_fill(&st, s, n);
	f.s = s;
	f.n = n;
	f.sync = true;

	ASSERT_EQ(1, tt_ctl_cmd(&ctl, reply, sizeof(reply), 10000, "FLUSH %s", chan));
	tcflush(fd, TCIFLUSH);
	/*
	 * A trickle of bursts a little longer than the trigger level: at
	 * full speed QEMU refills an emptied FIFO to the trigger level in
	 * one go, and a stale RDI would then find its bytes after all.
	 */
	ASSERT_EQ(1, tt_ctl_cmd(&ctl, reply, sizeof(reply), 10000, "SEND %s %zu %u %d %d",
				chan, n, SEED, BURST, BURST_GAP_US)) TH_LOG("SEND: %s", reply);
	srandom(getpid());
	end = tt_now_ms() + secs * 1000;
	while (tt_now_ms() < end && f.pos < n - 65536) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&pfd, 1, 1000) < 0)
			break;
		got = read(fd, buf, 1 + random() % sizeof(buf));
		if (got < 0 && errno != EAGAIN)
			break;
		if (got > 0) {
			total += got;
			since_flush += got;
			if (feed(&f, buf, got))
				break;
		}
		/*
		 * Flush at random moments, but only in step with the stream
		 * (so each flush's resync is checked), mostly with input
		 * still arriving: a short random delay or read size decides.
		 */
		if (f.sync && since_flush >= WIN &&
		    tt_now_ms() >= next_flush) {
			if (random() & 1)
				usleep(random() % 2000);
			tcflush(fd, TCIFLUSH);
			after_flush(&f);
			since_flush = 0;
			next_flush = tt_now_ms() + random() % 3;
		}
	}
	/* WAIT with a short timeout cancels the host's SEND */
	tt_ctl_cmd(&ctl, reply, sizeof(reply), 20000, "WAIT %s 1", chan);
	tcflush(fd, TCIFLUSH);
	close(fd);
	tt_ctl_close(&ctl);
	free(s);
	if (mode_old[0])
		tt_write_file(mode_path, mode_old);

	TH_LOG("%zu bytes read, stream offset %zu, %lu flushes, %lu resyncs; junk %lu, gap %lu, back %lu",
	       total, f.pos, f.flushes, f.resyncs, f.junk, f.gap, f.back);
	EXPECT_LT(100UL, f.flushes) TH_LOG("too few flushes to mean anything");
	EXPECT_EQ(0UL, f.junk) TH_LOG("read of an empty RX FIFO delivered as data");
	EXPECT_EQ(0UL, f.gap) TH_LOG("bytes lost with no flush");
	EXPECT_EQ(0UL, f.back) TH_LOG("bytes reordered or repeated");
	EXPECT_EQ(0UL, f.unknown) TH_LOG("bytes that are not in the stream");
}

/* The harness reads .timeout when the test starts: follow TTYDPC_FLOOD_S. */
static void __attribute__((constructor(200))) flood_timeout(void)
{
	_flush_during_flood_object.timeout = tt_env_long("TTYDPC_FLOOD_S", 60) + 120;
}

TEST_HARNESS_MAIN
