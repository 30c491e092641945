// SPDX-License-Identifier: GPL-2.0
/*
 * dpc_designs: the three deferral designs, seen from sysfs and debugfs.
 *
 * The module parameter dpc=isr|custom|both decides which deferred object
 * completes each cause (src/ttydpc_dpc.c):
 *
 *   design   RX          TX          ERROR   MODEM   PURGE   TIMER
 *   isr      dpc_for_isr for everything
 *   custom   read        write       error   modem   purge   timer
 *   both     dpc_for_isr dpc_for_isr error   modem   purge   timer
 *
 * Checked on TTYDPC_PORT:
 *  - sysfs dpc_design, debugfs "design" and the module parameter agree with
 *    TTYDPC_DPC; each object's cause mask is the design's;
 *  - objects the design does not use were never queued;
 *  - 64 KiB each way through the host peer: rx_bytes / tx_bytes grow by
 *    exactly what moved, and only the design's RX/TX objects ran, plus
 *    its PURGE object once for the transfer's opening tcflush(TCIFLUSH);
 *  - a loopback modem toggle, a purge and a received break run only the
 *    design's MODEM, PURGE, ERROR (+RX) objects, once per event;
 *  - every object's requests == runs + coalesced, and its latency
 *    histogram counts each run once, whenever the port is idle, also after
 *    200 closes made while routines were queued.
 */
#include <limits.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "ttydpc_harness.h"
#include "ttydpc_api_fixture.h"

#define XFER_N (64 * 1024)

struct snap {
	long long requests[TA_NR_DPCS], coalesced[TA_NR_DPCS], runs[TA_NR_DPCS];
	long long causes[TA_NR_DPCS], hist_sum[TA_NR_DPCS];
	long long done[TA_NR_CAUSES];
	long long rx_bytes, tx_bytes, brk;
	long long qrefs[4];
	struct ta_dbg raw;
};

static const char *const qnames[4] = { "read", "write", "purge", "wait" };

static long long hist_sum(const struct ta_dbg *d, const char *obj)
{
	char key[64];
	const char *p;
	long long sum = 0;

	snprintf(key, sizeof(key), "dpc_%s_latency_hist ", obj);
	p = strstr(d->text, key);
	if (!p)
		return -1;
	p += strlen(key);
	while (*p && *p != '\n') {
		char *end;
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		sum += v;
		p = end;
	}
	return sum;
}

/* 0, or -errno / -ENOENT when a key is missing. */
static int take_snap(const char *port, struct snap *s)
{
	int r = ta_dbg_read(port, &s->raw);
	const struct ta_dbg *d = &s->raw;

	if (r)
		return r;
	for (int i = 0; i < TA_NR_DPCS; i++) {
		const char *o = ta_dpc_names[i];

		s->requests[i] = ta_dbg_getf(d, "dpc_%s_requests", o);
		s->coalesced[i] = ta_dbg_getf(d, "dpc_%s_coalesced", o);
		s->runs[i] = ta_dbg_getf(d, "dpc_%s_runs", o);
		s->causes[i] = ta_dbg_getf(d, "dpc_%s_causes", o);
		s->hist_sum[i] = hist_sum(d, o);
		if (s->requests[i] < 0 || s->coalesced[i] < 0 || s->runs[i] < 0 ||
		    s->causes[i] < 0 || s->hist_sum[i] < 0)
			return -ENOENT;
	}
	for (int c = 0; c < TA_NR_CAUSES; c++) {
		s->done[c] = ta_dbg_getf(d, "done_%s_runs", ta_cause_names[c]);
		if (s->done[c] < 0)
			return -ENOENT;
	}
	for (int q = 0; q < 4; q++)
		s->qrefs[q] = ta_dbg_getf(d, "queue_%s_refs", qnames[q]);
	s->rx_bytes = ta_dbg_get(d, "rx_bytes");
	s->tx_bytes = ta_dbg_get(d, "tx_bytes");
	s->brk = ta_dbg_get(d, "break");
	if (s->rx_bytes < 0 || s->tx_bytes < 0 || s->brk < 0)
		return -ENOENT;
	return 0;
}

static bool same_activity(const struct snap *a, const struct snap *b)
{
	for (int i = 0; i < TA_NR_DPCS; i++)
		if (a->requests[i] != b->requests[i] || a->runs[i] != b->runs[i])
			return false;
	return a->rx_bytes == b->rx_bytes && a->tx_bytes == b->tx_bytes;
}

/* Idle: two reads 100 ms apart show no DPC activity. 0 or -ETIMEDOUT. */
static int settle(const char *port, struct snap *s)
{
	static struct snap prev;
	uint64_t end = tt_now_ms() + 5000;
	int r = take_snap(port, &prev);

	if (r)
		return r;
	for (;;) {
		usleep(100000);
		r = take_snap(port, s);
		if (r)
			return r;
		if (same_activity(&prev, s))
			return 0;
		if (tt_now_ms() >= end)
			return -ETIMEDOUT;
		prev = *s;
	}
}

/* Causes mask the design gives object obj. */
static long long design_causes(int design, int obj)
{
	long long m = 0;

	for (int c = 0; c < TA_NR_CAUSES; c++)
		if (ta_design_obj(design, c) == obj)
			m |= 1ll << c;
	return m;
}

FIXTURE(design) {
	char port[128];
	const char *chan;
	int fd;
	int design;
	struct tt_ctl ctl;
	bool have_ctl;
};

FIXTURE_SETUP(design)
{
	char path[PATH_MAX], val[64];
	ssize_t r;

	self->fd = -1;
	self->ctl.fd = -1;
	self->chan = tt_env("TTYDPC_CHAN");
	if (tt_pick_port(self->port, sizeof(self->port)))
		SKIP(return, "no /dev/ttyDPC* node");
	if (!ta_dbg_available(self->port))
		SKIP(return, "no debugfs stats for %.100s (debugfs or root missing)", self->port);
	snprintf(path, sizeof(path), "/sys/class/tty/%s/dpc_design", tt_basename(self->port));
	r = tt_read_file(path, val, sizeof(val));
	ASSERT_LT(0, r) TH_LOG("%s: %s", path, strerror(-r));
	self->design = ta_design_index(val);
	ASSERT_LE(0, self->design) TH_LOG("%s reads '%s'", path, val);
	TT_OPEN_RAW(self->fd, self->port, 115200);
	r = tt_ctl_open_env(&self->ctl);
	ASSERT_LE(0, r) TH_LOG("host peer on %s (TTYDPC_CTL) does not answer: %s",
			     tt_env("TTYDPC_CTL"), strerror(-r));
	self->have_ctl = r > 0;
}

FIXTURE_TEARDOWN(design)
{
	if (self->fd >= 0) {
		ta_mbic(self->fd, TIOCM_LOOP);
		close(self->fd);
	}
	tt_ctl_close(&self->ctl);
}

/* requests == runs + coalesced and the histogram counts every run. */
static int check_identity(struct __test_metadata *_metadata, const struct snap *s,
			  const char *when)
{
	int bad = 0;

	for (int i = 0; i < TA_NR_DPCS; i++) {
		if (s->requests[i] != s->runs[i] + s->coalesced[i]) {
			TH_LOG("%s: dpc_%s requests %lld != runs %lld + coalesced %lld",
			       when, ta_dpc_names[i], s->requests[i], s->runs[i],
			       s->coalesced[i]);
			bad++;
		}
		if (s->hist_sum[i] != s->runs[i]) {
			TH_LOG("%s: dpc_%s latency histogram counts %lld runs, runs says %lld",
			       when, ta_dpc_names[i], s->hist_sum[i], s->runs[i]);
			bad++;
		}
	}
	for (int q = 0; q < 4; q++) {
		if (s->qrefs[q] != 1) {
			TH_LOG("%s: queue_%s_refs %lld on an idle open port (want 1)",
			       when, qnames[q], s->qrefs[q]);
			bad++;
		}
	}
	return bad;
}

/* Which objects' runs grew, as a bitmask, and a printable list. */
static unsigned int grown(const struct snap *a, const struct snap *b, char *buf, size_t size)
{
	unsigned int m = 0;
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < TA_NR_DPCS; i++) {
		if (b->runs[i] == a->runs[i])
			continue;
		m |= 1u << i;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s+%lld",
				len ? " " : "", ta_dpc_names[i], b->runs[i] - a->runs[i]);
	}
	return m;
}

static unsigned int objs_of_causes(int design, unsigned int causes)
{
	unsigned int m = 0;

	for (int c = 0; c < TA_NR_CAUSES; c++)
		if (causes & (1u << c))
			m |= 1u << ta_design_obj(design, c);
	return m;
}

static void names_of(unsigned int objs, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < TA_NR_DPCS; i++)
		if (objs & (1u << i))
			len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					len ? " " : "", ta_dpc_names[i]);
}

TEST_F(design, sysfs_matches_param)
{
	const char *want = tt_env("TTYDPC_DPC");
	char path[PATH_MAX], val[64], dbg[64];
	struct ta_dbg d;

	snprintf(path, sizeof(path), "/sys/class/tty/%s/dpc_design", tt_basename(self->port));
	ASSERT_LT(0, tt_read_file(path, val, sizeof(val)));
	ASSERT_EQ(0, ta_dbg_read(self->port, &d));
	ASSERT_EQ(0, ta_dbg_str(&d, "design", dbg, sizeof(dbg)));
	EXPECT_STREQ(val, dbg) TH_LOG("sysfs says %s, debugfs %s", val, dbg);
	if (tt_read_file("/sys/module/ttydpc/parameters/dpc", path, sizeof(path)) > 0) {
		EXPECT_STREQ(path, val) TH_LOG("module parameter dpc=%s, port %s", path, val);
	}
	/* read-only: a write must fail */
	snprintf(path, sizeof(path), "/sys/class/tty/%s/dpc_design", tt_basename(self->port));
	EXPECT_NE(0, tt_write_file(path, "isr"));
	if (!want)
		SKIP(return, "TTYDPC_DPC unset: port says %.60s", val);
	EXPECT_STREQ(want, val);
}

TEST_F(design, causes_follow_design)
{
	struct snap s;

	ASSERT_EQ(0, take_snap(self->port, &s));
	for (int i = 0; i < TA_NR_DPCS; i++) {
		EXPECT_EQ(design_causes(self->design, i), s.causes[i])
			TH_LOG("design %s: dpc_%s_causes %#llx, want %#llx",
			       ta_design_names[self->design], ta_dpc_names[i],
			       s.causes[i], design_causes(self->design, i));
	}
}

/* Since the port was bound, an object without causes was never queued. */
TEST_F(design, unused_objects_never_queued)
{
	struct snap s;

	ASSERT_EQ(0, take_snap(self->port, &s));
	for (int i = 0; i < TA_NR_DPCS; i++) {
		if (design_causes(self->design, i))
			continue;
		EXPECT_EQ(0, s.requests[i] + s.runs[i] + s.coalesced[i])
			TH_LOG("design %s: unused dpc_%s has requests %lld runs %lld coalesced %lld",
			       ta_design_names[self->design], ta_dpc_names[i],
			       s.requests[i], s.runs[i], s.coalesced[i]);
	}
}

static void expect_only(struct __test_metadata *_metadata, int design,
			const struct snap *a, const struct snap *b,
			unsigned int must, const char *what)
{
	char got[256], want[128];
	unsigned int g = grown(a, b, got, sizeof(got));

	names_of(must, want, sizeof(want));
	TH_LOG("%s (design %s): objects that ran: %s; expected exactly: %s",
	       what, ta_design_names[design], got[0] ? got : "none", want);
	EXPECT_EQ(must, g);
}

TEST_F(design, transfer_64k_counts)
{
	struct snap a, b;
	char msg[512];
	int r;

	TT_NEED_CTL(self->have_ctl);
	ASSERT_EQ(0, settle(self->port, &a));
	EXPECT_EQ(0, check_identity(_metadata, &a, "before"));
	r = tt_host_xfer(&self->ctl, self->fd, self->chan, XFER_N, 0xd1,
			 XFER_N, 0xd2, tt_budget_s(2 * XFER_N), msg, sizeof(msg));
	TH_LOG("%s: %s", self->port, msg);
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, settle(self->port, &b));

	EXPECT_EQ(XFER_N, b.rx_bytes - a.rx_bytes)
		TH_LOG("rx_bytes grew by %lld, host sent %d", b.rx_bytes - a.rx_bytes, XFER_N);
	EXPECT_EQ(XFER_N, b.tx_bytes - a.tx_bytes)
		TH_LOG("tx_bytes grew by %lld, guest wrote %d", b.tx_bytes - a.tx_bytes, XFER_N);
	EXPECT_LT(a.done[TA_CAUSE_RX], b.done[TA_CAUSE_RX]);
	EXPECT_LT(a.done[TA_CAUSE_TX], b.done[TA_CAUSE_TX]);
	/*
	 * tt_host_xfer() starts with tcflush(TCIFLUSH): one purge request
	 * (ttydpc_tcflush()), so the purge cause runs exactly once.
	 */
	for (int c = TA_CAUSE_ERROR; c <= TA_CAUSE_TIMER; c++) {
		long long want = c == TA_CAUSE_PURGE ? 1 : 0;

		EXPECT_EQ(want, b.done[c] - a.done[c])
			TH_LOG("done_%s_runs moved +%lld during a clean transfer (+%lld expected)",
			       ta_cause_names[c], b.done[c] - a.done[c], want);
	}
	expect_only(_metadata, self->design, &a, &b,
		    objs_of_causes(self->design, 1u << TA_CAUSE_RX | 1u << TA_CAUSE_TX |
				   1u << TA_CAUSE_PURGE),
		    "64 KiB each way after one tcflush");
	EXPECT_EQ(0, check_identity(_metadata, &b, "after the transfer"));
}
TT_SET_TIMEOUT(design, transfer_64k_counts, tt_budget_s(2 * XFER_N) + 90)

/* Each loopback RTS toggle changes CTS: one MODEM cause, one run. */
TEST_F(design, modem_toggle_runs_modem_object)
{
	const int n = 6;
	int obj = ta_design_obj(self->design, TA_CAUSE_MODEM);
	struct snap a, b;

	ASSERT_EQ(0, ta_mbis(self->fd, TIOCM_LOOP | TIOCM_RTS));
	ASSERT_EQ(0, settle(self->port, &a));
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, (i & 1) ? ta_mbis(self->fd, TIOCM_RTS) : ta_mbic(self->fd, TIOCM_RTS));
		ASSERT_EQ(0, ta_dbg_wait_ge(self->port, "done_modem_runs",
					    a.done[TA_CAUSE_MODEM] + i + 1, 2000))
			TH_LOG("toggle %d: ttydpc_dpc_modem did not run", i + 1);
	}
	ASSERT_EQ(0, settle(self->port, &b));
	expect_only(_metadata, self->design, &a, &b, 1u << obj, "6 loopback RTS toggles");
	EXPECT_EQ(n, b.done[TA_CAUSE_MODEM] - a.done[TA_CAUSE_MODEM]);
	EXPECT_EQ(n, b.requests[obj] - a.requests[obj])
		TH_LOG("dpc_%s requests +%lld for %d toggles", ta_dpc_names[obj],
		       b.requests[obj] - a.requests[obj], n);
	EXPECT_EQ(n, b.runs[obj] - a.runs[obj]);
	for (int c = 0; c < TA_NR_CAUSES; c++) {
		if (c == TA_CAUSE_MODEM)
			continue;
		EXPECT_EQ(a.done[c], b.done[c])
			TH_LOG("done_%s_runs +%lld on a modem toggle",
			       ta_cause_names[c], b.done[c] - a.done[c]);
	}
	EXPECT_EQ(0, check_identity(_metadata, &b, "after the toggles"));
}

/* Each purge is one PURGE cause, run by the design's purge object. */
TEST_F(design, purge_runs_purge_object)
{
	static const uint32_t flags[] = {
		TTYDPC_PURGE_RXCLEAR, TTYDPC_PURGE_TXCLEAR, TTYDPC_PURGE_RXABORT,
		TTYDPC_PURGE_TXABORT, TTYDPC_PURGE_ALL,
	};
	const int n = sizeof(flags) / sizeof(flags[0]);
	int obj = ta_design_obj(self->design, TA_CAUSE_PURGE);
	struct snap a, b;
	int efd;

	TA_EVENT_OPEN(efd, self->fd);
	ASSERT_EQ(0, settle(self->port, &a));
	for (int i = 0; i < n; i++) {
		ASSERT_EQ(0, ta_purge(efd, flags[i]));
	}
	close(efd);
	ASSERT_EQ(0, settle(self->port, &b));
	expect_only(_metadata, self->design, &a, &b, 1u << obj, "5 purges");
	EXPECT_EQ(n, b.done[TA_CAUSE_PURGE] - a.done[TA_CAUSE_PURGE]);
	EXPECT_EQ(n, b.requests[obj] - a.requests[obj]);
	EXPECT_EQ(0, check_identity(_metadata, &b, "after the purges"));
}

/* A received break: the ERROR cause, plus RX for the NUL byte it brings. */
TEST_F(design, break_runs_error_object)
{
	char reply[256];
	struct snap a, b;
	unsigned int must;

	TT_NEED_CTL(self->have_ctl);
	ASSERT_EQ(0, settle(self->port, &a));
	ASSERT_EQ(1, tt_ctl_cmd(&self->ctl, reply, sizeof(reply), 10000, "BREAK %s",
				self->chan)) TH_LOG("BREAK: %s", reply);
	ASSERT_EQ(0, ta_dbg_wait_ge(self->port, "done_error_runs",
				    a.done[TA_CAUSE_ERROR] + 1, 3000))
		TH_LOG("ttydpc_dpc_error did not run after a break");
	ASSERT_EQ(0, settle(self->port, &b));
	EXPECT_EQ(1, b.brk - a.brk) TH_LOG("break counter +%lld", b.brk - a.brk);
	must = objs_of_causes(self->design, 1u << TA_CAUSE_ERROR | 1u << TA_CAUSE_RX);
	expect_only(_metadata, self->design, &a, &b, must, "a received break");
	EXPECT_EQ(0, check_identity(_metadata, &b, "after the break"));
	tcflush(self->fd, TCIFLUSH);
}

/*
 * Closes with deferred routines queued: every close of the last fd stops the
 * port while the loopback toggles, a purge and echoed bytes have just queued
 * objects. Stopping must let a queued run happen (or never count it), so the
 * identity holds after any number of such closes.
 */
TEST_F(design, close_with_routines_queued)
{
	const int rounds = 200;
	struct snap s;
	int fd, efd, i;

	ta_mbic(self->fd, TIOCM_LOOP);
	close(self->fd);
	self->fd = -1;
	for (i = 0; i < rounds; i++) {
		fd = tt_open_raw(self->port, 115200);
		ASSERT_LE(0, fd) TH_LOG("round %d: open: %s", i, strerror(-fd));
		ASSERT_EQ(0, ta_mbis(fd, TIOCM_LOOP));
		ASSERT_EQ(0, ta_mbic(fd, TIOCM_RTS));
		ASSERT_EQ(0, ta_mbis(fd, TIOCM_RTS));
		ASSERT_EQ(2, write(fd, "dc", 2));
		efd = ta_event_open(fd);
		ASSERT_LE(0, efd) TH_LOG("round %d: event file: %s", i, strerror(-efd));
		ASSERT_EQ(0, ta_purge(efd, TTYDPC_PURGE_RXCLEAR));
		ASSERT_EQ(0, ta_mbic(fd, TIOCM_RTS | TIOCM_LOOP));
		/* the last tty close with the event file still attached */
		ASSERT_EQ(0, close(fd));
		ASSERT_EQ(0, close(efd));
	}
	self->fd = tt_open_raw(self->port, 115200);
	ASSERT_LE(0, self->fd) TH_LOG("reopen: %s", strerror(-self->fd));
	ASSERT_EQ(0, settle(self->port, &s));
	EXPECT_EQ(0, check_identity(_metadata, &s, "after the closes"));
}

/* The accounting identity right now (after whatever ran before). */
TEST_F(design, requests_equal_runs_plus_coalesced)
{
	struct snap s;
	long long total = 0;

	ASSERT_EQ(0, settle(self->port, &s));
	for (int i = 0; i < TA_NR_DPCS; i++) {
		total += s.runs[i];
		TH_LOG("design %s: dpc_%s requests %lld = runs %lld + coalesced %lld",
		       ta_design_names[self->design], ta_dpc_names[i], s.requests[i],
		       s.runs[i], s.coalesced[i]);
	}
	TH_LOG("design %s: %lld runs in all since the port was bound",
	       ta_design_names[self->design], total);
	EXPECT_EQ(0, check_identity(_metadata, &s, "idle"));
}

TEST_HARNESS_MAIN
