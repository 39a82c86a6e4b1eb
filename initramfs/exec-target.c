// SPDX-License-Identifier: GPL-2.0
/* exec-target: tiny program the exec storm runs; exits with argv[1] % 200. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 255;
	return (int)(strtoul(argv[1], NULL, 10) % 200);
}
