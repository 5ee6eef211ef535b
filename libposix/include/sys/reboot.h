/* reboot(2) (libposix/power.cc): power off, halt or reset the machine — proc does it for a
 * process with effective uid 0 (interfaces/process kProcPower); init calls it at the end of
 * a shutdown, `poweroff -f` directly. The values are Linux's. newlib has no <sys/reboot.h>. */
#ifndef AXO_POSIX_SYS_REBOOT_H
#define AXO_POSIX_SYS_REBOOT_H

#define RB_AUTOBOOT 0x01234567    /* reset the machine */
#define RB_HALT_SYSTEM 0xcdef0123 /* stop; Axolotl powers off */
#define RB_POWER_OFF 0x4321fedc   /* power off */
#define RB_ENABLE_CAD 0x89abcdef
#define RB_DISABLE_CAD 0

#ifdef __cplusplus
extern "C" {
#endif
int reboot(int);
#ifdef __cplusplus
}
#endif

#endif /* AXO_POSIX_SYS_REBOOT_H */
