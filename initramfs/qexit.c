// SPDX-License-Identifier: GPL-2.0
/* qexit: end the guest with an exit code QEMU's isa-debug-exit hands out. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT	0xf4	/* -device isa-debug-exit,iobase=0xf4 */

int main(int argc, char **argv)
{
	unsigned long code;
	char *end;

	if (argc != 2 || (code = strtoul(argv[1], &end, 0)) > 127 || *end) {
		fprintf(stderr, "Usage: qexit CODE (0..127)\n"
			"  QEMU then exits with status CODE * 2 + 1.\n");
		return 2;
	}
	sync();
	if (ioperm(DEBUG_EXIT_PORT, 1, 1) < 0) {
		perror("qexit: ioperm");
	} else {
		outb((unsigned char)code, DEBUG_EXIT_PORT);
		fprintf(stderr, "qexit: no isa-debug-exit device at 0x%x\n",
			DEBUG_EXIT_PORT);
	}
	/* Without the device: power off; the host reads the console verdict. */
	reboot(RB_POWER_OFF);
	perror("qexit: reboot");
	return 1;
}
