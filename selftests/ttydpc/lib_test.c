// SPDX-License-Identifier: GPL-2.0
/*
 * lib_test: checks the selftest library itself, with no UART and no host
 * peer: the stream generator against known values, the parsers of the
 * host-peer replies, baud arithmetic, and the transfer engine and control
 * client over a pseudo-terminal with a fake peer. Runs on any Linux machine,
 * so a broken helper shows up before it can hide a driver bug.
 */
#include <fcntl.h>
#include <signal.h>
#include <termios.h>

#include "ttydpc_harness.h"

TEST(stream_known_values)
{
	static const uint8_t seed1[8] = { 0x21, 0x01, 0xc5, 0x4f,
					  0xd1, 0xd0, 0x1a, 0xb2 };
	static const uint8_t seed12345[8] = { 0x7a, 0xaf, 0xa0, 0xea,
					      0xd3, 0x62, 0x98, 0x38 };
	struct tt_stream s;
	uint8_t buf[4096];

	tt_stream_init(&s, 1);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(seed1[i], tt_stream_next(&s));
	}
	/* seed 0 is taken as 1 */
	tt_stream_init(&s, 0);
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(seed1[i], tt_stream_next(&s));
	}
	tt_stream_init(&s, 12345);
	tt_stream_fill(&s, buf, 8);
	ASSERT_EQ(0, memcmp(buf, seed12345, 8));
	tt_stream_init(&s, 7);
	tt_stream_fill(&s, buf, sizeof(buf));
	ASSERT_EQ(0xef3719b5u, tt_crc32(0, buf, sizeof(buf)));
}

TEST(crc32_check_value)
{
	const uint8_t *s = (const uint8_t *)"123456789";

	ASSERT_EQ(0xcbf43926u, tt_crc32(0, s, 9));
	/* incremental == one shot */
	ASSERT_EQ(0xcbf43926u, tt_crc32(tt_crc32(0, s, 4), s + 4, 5));
}

TEST(parse_replies)
{
	const char *rest;
	struct tt_param_ev ev;
	struct tt_wait_res w;
	uint8_t regs[2];
	int total;

	ASSERT_EQ(1, tt_parse_reply("OK PONG", &rest));
	ASSERT_STREQ("PONG", rest);
	ASSERT_EQ(1, tt_parse_reply("OK", &rest));
	ASSERT_STREQ("", rest);
	ASSERT_EQ(0, tt_parse_reply("ERR timeout recv=5", &rest));
	ASSERT_STREQ("timeout recv=5", rest);
	ASSERT_GT(0, tt_parse_reply("OKAY", &rest));
	ASSERT_GT(0, tt_parse_reply("hello", &rest));

	ASSERT_EQ(0, tt_parse_param_line("baudrate=9600 parity=N data=8 stop=1", &ev));
	ASSERT_EQ(9600ul, ev.baud);
	ASSERT_EQ('N', ev.parity);
	ASSERT_EQ(8, ev.data);
	ASSERT_EQ(1, ev.stop);
	/* QEMU's own trace format quotes the parity */
	ASSERT_EQ(0, tt_parse_param_line("serial_update_parameters baudrate=57600 parity='E' data=5 stop=2", &ev));
	ASSERT_EQ(57600ul, ev.baud);
	ASSERT_EQ('E', ev.parity);
	ASSERT_EQ(5, ev.data);
	ASSERT_EQ(2, ev.stop);
	ASSERT_GT(0, tt_parse_param_line("baudrate=9600 parity=X data=8 stop=1", &ev));
	ASSERT_GT(0, tt_parse_param_line("baudrate=9600 data=8 stop=1", &ev));

	ASSERT_EQ(2, tt_parse_reg_writes("3 0x03 0x43 0x03", regs, 2, &total));
	ASSERT_EQ(3, total);
	ASSERT_EQ(0x43, regs[0]);	/* the newest two */
	ASSERT_EQ(0x03, regs[1]);
	ASSERT_EQ(0, tt_parse_reg_writes("0", regs, 2, &total));
	ASSERT_EQ(0, total);
	ASSERT_GT(0, tt_parse_reg_writes("1 0x100", regs, 2, &total));
	ASSERT_GT(0, tt_parse_reg_writes("1 0x03x", regs, 2, &total));
	ASSERT_GT(0, tt_parse_reg_writes("x", regs, 2, &total));

	tt_parse_wait_reply(1, "sent=1048576 recv=0", &w);
	ASSERT_TRUE(w.ok);
	ASSERT_EQ(1048576, w.sent);
	ASSERT_EQ(0, w.recv);
	tt_parse_wait_reply(0, "mismatch at=1234 got=0x12 want=0x34", &w);
	ASSERT_FALSE(w.ok);
	ASSERT_TRUE(w.mismatch);
	ASSERT_EQ(1234, w.at);
	ASSERT_EQ(0x12, w.got);
	ASSERT_EQ(0x34, w.want);
	tt_parse_wait_reply(0, "timeout recv=77", &w);
	ASSERT_TRUE(w.timeout);
	ASSERT_EQ(77, w.recv);
}

TEST(hex_and_stats)
{
	uint8_t b[8];
	char hex[17];
	unsigned long long v;
	const char *stats = "rx_bytes 100\ntx_bytes 2048\nirq_total 7\n"
			    "dpc_read_requests 5\ndpc_read_coalesced 1\n";

	tt_hex_encode(hex, (const uint8_t *)"\x00\x7f\xff\x41", 4);
	ASSERT_STREQ("007fff41", hex);
	ASSERT_EQ(4, tt_hex_decode(b, sizeof(b), "007FFF41"));
	ASSERT_EQ(0, memcmp(b, "\x00\x7f\xff\x41", 4));
	ASSERT_GT(0, tt_hex_decode(b, sizeof(b), "0g"));
	ASSERT_GT(0, tt_hex_decode(b, 1, "0000"));

	ASSERT_EQ(0, tt_stats_parse(stats, "tx_bytes", &v));
	ASSERT_EQ(2048ull, v);
	ASSERT_EQ(0, tt_stats_parse(stats, "dpc_read_coalesced", &v));
	ASSERT_EQ(1ull, v);
	ASSERT_EQ(-ENOENT, tt_stats_parse(stats, "rx", &v));
	ASSERT_EQ(-ENOENT, tt_stats_parse(stats, "bytes", &v));
}

TEST(baud_arithmetic)
{
	ASSERT_EQ(115200u, tt_speed_to_baud(B115200));
	ASSERT_EQ((unsigned int)B9600, tt_baud_to_speed(9600));
	ASSERT_EQ(0u, tt_baud_to_speed(12345));
	ASSERT_EQ(115200u, tt_uart_actual_baud(TT_UARTCLK, 115200));
	ASSERT_EQ(9600u, tt_uart_actual_baud(TT_UARTCLK, 9600));
	ASSERT_EQ(12800u, tt_uart_actual_baud(TT_UARTCLK, 12345));
	ASSERT_EQ(16457u, tt_uart_actual_baud(TT_UARTCLK, 16000));
	ASSERT_EQ(115200u, tt_uart_actual_baud(TT_UARTCLK, 230400));
	ASSERT_EQ(50u, tt_uart_actual_baud(TT_UARTCLK, 50));
}

static int open_pty(int *master, char *slave, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);

	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, slave, size))
		return -1;
	*master = m;
	return 0;
}

/* The engine moves two streams at once over a pty and verifies them. */
TEST(xfer_engine_pty)
{
	char slave[64], msg[256];
	int m, s, status;
	pid_t pid;
	struct tt_xfer x = {
		.send_n = 200000, .send_seed = 11,
		.recv_n = 150000, .recv_seed = 22,
		.tmo_ms = 30000,
	};

	ASSERT_EQ(0, open_pty(&m, slave, sizeof(slave)));
	s = tt_open_raw(slave, 115200);
	ASSERT_LE(0, s) TH_LOG("open %s: %s", slave, strerror(-s));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct tt_xfer y = {
			.send_n = 150000, .send_seed = 22,
			.recv_n = 200000, .recv_seed = 11,
			.tmo_ms = 30000,
		};

		close(s);
		_exit(tt_xfer_run(m, &y) ? 1 : 0);
	}
	close(m);
	EXPECT_EQ(0, tt_xfer_run(s, &x)) {
		tt_xfer_describe(&x, msg, sizeof(msg));
		TH_LOG("%s", msg);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(s);
}

/* A corrupted byte is caught at the right offset. */
TEST(xfer_engine_detects_corruption)
{
	char slave[64];
	int m, s;
	uint8_t buf[1000];
	struct tt_stream st;
	struct tt_xfer x = { .recv_n = sizeof(buf), .recv_seed = 5,
			     .tmo_ms = 5000 };

	ASSERT_EQ(0, open_pty(&m, slave, sizeof(slave)));
	s = tt_open_raw(slave, 115200);
	ASSERT_LE(0, s);
	tt_stream_init(&st, 5);
	tt_stream_fill(&st, buf, sizeof(buf));
	buf[777] ^= 0x10;
	ASSERT_EQ((ssize_t)sizeof(buf), tt_write_full(m, buf, sizeof(buf), 5000));
	ASSERT_NE(0, tt_xfer_run(s, &x));
	ASSERT_TRUE(x.mismatch);
	ASSERT_EQ(777u, x.mismatch_at);
	ASSERT_EQ(buf[777], x.got);
	ASSERT_EQ(buf[777] ^ 0x10, x.want);
	close(s);
	close(m);
}

/* Nothing arrives: the engine gives up after stall_ms, not tmo_ms. */
TEST(xfer_engine_detects_stall)
{
	char slave[64];
	int m, s;
	uint64_t t0;
	uint8_t buf[10];
	struct tt_stream st;
	struct tt_xfer x = { .recv_n = 100, .recv_seed = 5,
			     .tmo_ms = 20000, .stall_ms = 300 };

	ASSERT_EQ(0, open_pty(&m, slave, sizeof(slave)));
	s = tt_open_raw(slave, 115200);
	ASSERT_LE(0, s);
	tt_stream_init(&st, 5);
	tt_stream_fill(&st, buf, sizeof(buf));
	ASSERT_EQ(10, tt_write_full(m, buf, sizeof(buf), 1000));
	t0 = tt_now_ms();
	ASSERT_NE(0, tt_xfer_run(s, &x));
	EXPECT_TRUE(x.stalled);
	EXPECT_FALSE(x.mismatch);
	EXPECT_GT(5000u, tt_now_ms() - t0);
	close(s);
	close(m);
}

/* A tiny fake host peer on the master side of a pty. */
static void fake_peer(int fd)
{
	struct tt_ctl c = { .fd = fd };
	char line[256];

	while (tt_ctl_readline(&c, line, sizeof(line), 10000) == 0) {
		const char *r;

		if (!strcmp(line, "PING"))
			/* a stale reply first, as after a killed test */
			r = "OK sent=1 recv=2\r\nOK PONG\r\n";
		else if (!strcmp(line, "PARAMS"))
			r = "OK 3\nbaudrate=9600 parity=N data=8 stop=1\n"
			    "baudrate=1200 parity='E' data=6 stop=1\n"
			    "baudrate=115200 parity=O data=7 stop=2\n";
		else if (!strncmp(line, "WAIT ", 5))
			r = "ERR mismatch at=10 got=1 want=2\n";
		else if (!strcmp(line, "QUIT"))
			break;
		else
			r = "ERR unknown\n";
		if (tt_write_full(fd, r, strlen(r), 5000) < 0)
			break;
	}
	_exit(0);
}

TEST(ctl_client_fake_peer)
{
	char slave[64], reply[128];
	struct tt_ctl c;
	struct tt_param_ev ev[2];
	struct tt_wait_res w;
	int m, total, n;
	pid_t pid;

	ASSERT_EQ(0, open_pty(&m, slave, sizeof(slave)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		fake_peer(m);
	ASSERT_EQ(0, tt_ctl_open(&c, slave));
	n = tt_ctl_params(&c, ev, 2, &total);
	ASSERT_EQ(2, n);
	ASSERT_EQ(3, total);
	/* the newest two are kept, oldest first */
	EXPECT_EQ(1200ul, ev[0].baud);
	EXPECT_EQ('E', ev[0].parity);
	EXPECT_EQ(115200ul, ev[1].baud);
	EXPECT_EQ('O', ev[1].parity);
	EXPECT_EQ(7, ev[1].data);
	EXPECT_EQ(2, ev[1].stop);
	ASSERT_EQ(0, tt_ctl_wait(&c, "data0", 1, &w));
	EXPECT_TRUE(w.mismatch);
	EXPECT_EQ(10, w.at);
	EXPECT_EQ(0, tt_ctl_cmd(&c, reply, sizeof(reply), 5000, "NOPE"));
	EXPECT_STREQ("unknown", reply);
	tt_ctl_send(&c, "QUIT");
	tt_ctl_close(&c);
	waitpid(pid, NULL, 0);
	close(m);
}

TEST_HARNESS_MAIN
