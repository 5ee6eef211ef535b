/* true: exits with status 0 and does nothing else. The program both systems exec in
 * process.fork_exec_wait (bench/common/process_ops.h): built from this source as a newlib
 * program for Axolotl (axo_bench_true, written to /bin/true of the bench's copy of the root
 * file system) and with `gcc -m32 -static` (glibc) as /bin/true of Linux's initramfs. */
int main(void) {
    return 0;
}
