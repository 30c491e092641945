// SPDX-License-Identifier: GPL-2.0
/*
 * tty_basic: the ttyDPC nodes exist and are wired to real devices, open and
 * close work many times over, and the sysfs/debugfs files the driver
 * promises are there.
 *
 * Needs no host peer. Uses every /dev/ttyDPC* it finds; TTYDPC_PORT,
 * TTYDPC_NM_A/B and TTYDPC_PCI, when set, are checked against what it finds.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "ttydpc_harness.h"

#define MAX_PORTS 64
#define OPEN_CLOSE_ROUNDS 200

FIXTURE(ports) {
	char *names[MAX_PORTS];
	int n;
};

FIXTURE_SETUP(ports)
{
	self->n = tt_list_ports(self->names, MAX_PORTS);
	ASSERT_LT(0, self->n) TH_LOG("no /dev/ttyDPC* node: is ttydpc loaded and bound?");
}

FIXTURE_TEARDOWN(ports)
{
	tt_free_list(self->names, self->n);
}

static bool in_list(char **names, int n, const char *dev)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], dev))
			return true;
	return false;
}

/* Each node is a char device matching /sys/class/tty/<name>/dev and has a
 * device link that resolves to a real device directory. */
TEST_F(ports, nodes_and_sysfs)
{
	static const char *envs[] = { "TTYDPC_PORT", "TTYDPC_NM_A", "TTYDPC_NM_B" };

	for (int i = 0; i < self->n; i++) {
		const char *dev = self->names[i], *name = tt_basename(dev);
		char path[PATH_MAX], buf[PATH_MAX], want[32], real[PATH_MAX];
		struct stat st;

		ASSERT_EQ(0, stat(dev, &st)) TH_LOG("%s: %s", dev, strerror(errno));
		ASSERT_TRUE(S_ISCHR(st.st_mode)) TH_LOG("%s is not a char device", dev);

		snprintf(path, sizeof(path), "/sys/class/tty/%s", name);
		ASSERT_TRUE(tt_path_exists(path)) TH_LOG("%s missing", path);

		snprintf(path, sizeof(path), "/sys/class/tty/%s/dev", name);
		ASSERT_LE(0, tt_read_file(path, buf, sizeof(buf)))
			TH_LOG("%s unreadable", path);
		snprintf(want, sizeof(want), "%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		EXPECT_STREQ(want, buf) TH_LOG("%s: node %s, sysfs says %s", dev, want, buf);

		snprintf(path, sizeof(path), "/sys/class/tty/%s/device", name);
		ASSERT_NE(NULL, realpath(path, real))
			TH_LOG("%s: no device link (%s)", path, strerror(errno));
		EXPECT_EQ(0, strncmp(real, "/sys/devices/", 13))
			TH_LOG("%s -> %s is not a device", path, real);
		ASSERT_EQ(0, stat(real, &st));
		ASSERT_TRUE(S_ISDIR(st.st_mode));

		snprintf(path, sizeof(path), "/sys/class/tty/%s/device/driver", name);
		if (realpath(path, buf))
			TH_LOG("%s -> %s (driver %s)", name, real, tt_basename(buf));
		else
			TH_LOG("%s -> %s (no driver link)", name, real);
	}

	/* The ports named in the environment are among them. */
	for (size_t e = 0; e < sizeof(envs) / sizeof(envs[0]); e++) {
		const char *dev = tt_env(envs[e]);

		if (dev) {
			EXPECT_TRUE(in_list(self->names, self->n, dev))
				TH_LOG("%s=%s is not a ttyDPC node", envs[e], dev);
		}
	}

	/*
	 * TTYDPC_PORT is a port of PCI function TTYDPC_PCI: the device link
	 * names the function itself, or (6.5+ serial core port devices,
	 * e.g. 0000:00:10.0:0.0) a device below it.
	 */
	if (tt_env("TTYDPC_PORT") && tt_env("TTYDPC_PCI")) {
		char path[PATH_MAX], real[PATH_MAX], comp[PATH_MAX + 2];

		snprintf(path, sizeof(path), "/sys/class/tty/%s/device",
			 tt_basename(tt_env("TTYDPC_PORT")));
		ASSERT_NE(NULL, realpath(path, real));
		snprintf(comp, sizeof(comp), "/%s/", tt_env("TTYDPC_PCI"));
		strncat(real, "/", sizeof(real) - strlen(real) - 1);
		EXPECT_NE(NULL, strstr(real, comp))
			TH_LOG("%s belongs to %s, not below %s", tt_env("TTYDPC_PORT"),
			       real, tt_env("TTYDPC_PCI"));
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 tt_env("TTYDPC_PCI"));
		ASSERT_NE(NULL, realpath(path, real))
			TH_LOG("%s has no driver", tt_env("TTYDPC_PCI"));
		EXPECT_STREQ("ttydpc", tt_basename(real));
	}
}

/* open/close OPEN_CLOSE_ROUNDS times on every port; a second open while one
 * is held; settings survive. */
TEST_F_TIMEOUT(ports, open_close_repeat, 300)
{
	for (int i = 0; i < self->n; i++) {
		const char *dev = self->names[i];
		struct termios t;
		int fd, fd2;

		for (int k = 0; k < OPEN_CLOSE_ROUNDS; k++) {
			fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);
			ASSERT_LE(0, fd) TH_LOG("%s: open #%d: %s", dev, k, strerror(errno));
			if (k % 50 == 0) {
				ASSERT_EQ(0, tcgetattr(fd, &t))
					TH_LOG("%s: tcgetattr: %s", dev, strerror(errno));
			}
			ASSERT_EQ(0, close(fd)) TH_LOG("%s: close #%d: %s", dev, k, strerror(errno));
		}

		/* two opens at once, then close in the "wrong" order */
		TT_OPEN_RAW(fd, dev, 115200);
		fd2 = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK);
		ASSERT_LE(0, fd2) TH_LOG("%s: second open: %s", dev, strerror(errno));
		ASSERT_EQ(0, tcgetattr(fd2, &t));
		EXPECT_EQ((speed_t)B115200, cfgetospeed(&t));
		EXPECT_EQ((tcflag_t)CS8, t.c_cflag & CSIZE);
		close(fd);
		ASSERT_EQ(0, tcgetattr(fd2, &t)) TH_LOG("%s: fd unusable after the other closed", dev);
		close(fd2);
	}
}

/*
 * After a hangup the old fd is dead: write and ioctl give EIO, read gives
 * end of file, on every port; a new open gets a working port (its ioctls
 * and tcdrain work).
 */
TEST_F(ports, io_after_hangup)
{
	for (int i = 0; i < self->n; i++) {
		const char *dev = self->names[i];
		char c = 'h';
		int fd, fd2, mc;

		TT_OPEN_RAW(fd, dev, 115200);
		if (ioctl(fd, TIOCVHANGUP) && errno == EPERM) {
			close(fd);
			SKIP(return, "TIOCVHANGUP needs CAP_SYS_ADMIN");
		}
		errno = 0;
		TT_EXPECT_ERRNO(EIO, write(fd, &c, 1))
			TH_LOG("%s: write after hangup: %s", dev, strerror(errno));
		EXPECT_EQ(0, read(fd, &c, 1)) TH_LOG("%s: read after hangup", dev);
		errno = 0;
		TT_EXPECT_ERRNO(EIO, ioctl(fd, TIOCMGET, &mc))
			TH_LOG("%s: TIOCMGET after hangup: %s", dev, strerror(errno));
		EXPECT_EQ(0, close(fd));

		fd2 = tt_open_raw(dev, 115200);
		ASSERT_LE(0, fd2) TH_LOG("%s: open after hangup: %s", dev, strerror(-fd2));
		/* (no data written: the peers of these ports are other tests') */
		EXPECT_EQ(0, ioctl(fd2, TIOCMGET, &mc)) TH_LOG("%s: %s", dev, strerror(errno));
		EXPECT_EQ(0, tcdrain(fd2)) TH_LOG("%s: tcdrain after reopen: %s", dev,
						  strerror(errno));
		close(fd2);
	}
}

/* dpc_design: read-only, one of isr|custom|both, the one we were loaded with. */
TEST_F(ports, dpc_design_attr)
{
	for (int i = 0; i < self->n; i++) {
		const char *name = tt_basename(self->names[i]);
		const char *want = tt_env("TTYDPC_DPC");
		char path[PATH_MAX], val[64], again[64];
		ssize_t r;
		int w;

		snprintf(path, sizeof(path), "/sys/class/tty/%s/dpc_design", name);
		r = tt_read_file(path, val, sizeof(val));
		ASSERT_LE(0, r) TH_LOG("%s: %s", path, strerror(-r));
		EXPECT_TRUE(!strcmp(val, "isr") || !strcmp(val, "custom") ||
			    !strcmp(val, "both"))
			TH_LOG("%s = '%s'", path, val);
		if (want) {
			EXPECT_STREQ(want, val);
		}
		w = tt_write_file(path, strcmp(val, "isr") ? "isr\n" : "custom\n");
		EXPECT_NE(0, w) TH_LOG("%s accepted a write", path);
		ASSERT_LE(0, tt_read_file(path, again, sizeof(again)));
		EXPECT_STREQ(val, again);
	}
}

/* The serial core attributes show the 1.8432 MHz clock. */
TEST_F(ports, uartclk_attr)
{
	for (int i = 0; i < self->n; i++) {
		const char *name = tt_basename(self->names[i]);
		char path[PATH_MAX], val[64];
		ssize_t r;

		snprintf(path, sizeof(path), "/sys/class/tty/%s/uartclk", name);
		r = tt_read_file(path, val, sizeof(val));
		ASSERT_LE(0, r) TH_LOG("%s: %s", path, strerror(-r));
		EXPECT_EQ(TT_UARTCLK, strtoul(val, NULL, 0))
			TH_LOG("%s = %s", path, val);
	}
}

/* debugfs stats exist per port with the promised counters. */
TEST_F(ports, debugfs_stats)
{
	static const char *keys[] = { "rx_bytes", "tx_bytes", "irq_total" };

	if (!tt_debugfs_ready())
		SKIP(return, "debugfs not mounted and cannot be mounted");
	for (int i = 0; i < self->n; i++) {
		const char *name = tt_basename(self->names[i]);
		static char text[16384];
		char path[PATH_MAX];
		unsigned long long v;
		ssize_t r;

		snprintf(path, sizeof(path), "/sys/kernel/debug/ttydpc/%s/stats", name);
		r = tt_read_file(path, text, sizeof(text));
		ASSERT_LE(0, r) TH_LOG("%s: %s", path, strerror(-r));
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			EXPECT_EQ(0, tt_stats_parse(text, keys[k], &v))
				TH_LOG("%s has no '%s'", path, keys[k]);
		}
		EXPECT_NE(NULL, strstr(text, "dpc_"))
			TH_LOG("%s has no dpc_* counters", path);
	}
}

TEST_HARNESS_MAIN
