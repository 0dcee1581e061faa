/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The floor of the benchmarks: a statically linked process that does nothing. */
int main(void)
{
        return 0;
}
