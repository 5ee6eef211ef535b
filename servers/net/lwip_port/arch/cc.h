/*
 * lwIP's compiler and platform hooks for Axolotl: i586, gcc, newlib.
 * lwIP reads this through lwip/arch.h; everything not defined here keeps lwIP's default.
 */
#ifndef AXO_LWIP_ARCH_CC_H
#define AXO_LWIP_ARCH_CC_H

/*
 * lwipopts.h sets LWIP_TIMEVAL_PRIVATE 0, so struct timeval must come from newlib. Including
 * it here (lwip/arch.h reads this file before its fallbacks) also lets newlib define
 * LITTLE_ENDIAN and BYTE_ORDER, so lwIP does not define them differently.
 */
#include <stdlib.h>
#include <sys/time.h>

/*
 * gcc turns these into bswap (an i486 instruction, so fine on a Pentium) instead of the
 * out-of-line C versions in def.c; every packet header goes through them.
 */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

/*
 * DHCP transaction ids, TCP initial sequence numbers and ephemeral ports. The network
 * server seeds rand() from the clock at start-up; lwIP needs unpredictability here, not
 * cryptographic strength.
 */
#define LWIP_RAND() ((u32_t)rand())

#endif /* AXO_LWIP_ARCH_CC_H */
