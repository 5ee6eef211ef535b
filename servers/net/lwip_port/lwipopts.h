/*
 * lwIP configuration for Axolotl's network server (see ../README.md).
 *
 * The server runs lwIP in one thread with one event loop fed by client RPCs, the NIC driver
 * and timers (DESIGN.md §5), so lwIP runs without an OS layer (NO_SYS) and without
 * locking. The socket API is the server's own RPC protocol, not lwIP's sockets.c. The only
 * function the port must supply is sys_now(), and the server does that, not this library.
 */
#ifndef AXO_LWIPOPTS_H
#define AXO_LWIPOPTS_H

/* ---- System ---------------------------------------------------------------------------- */
#define NO_SYS 1
/* Only the server's event-loop thread enters lwIP: nothing to protect against. */
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
/* struct timeval comes from newlib's <sys/time.h> (arch/cc.h includes it). */
#define LWIP_TIMEVAL_PRIVATE 0

/* ---- Memory ---------------------------------------------------------------------------- */
#define MEM_ALIGNMENT 4
/* lwIP's own heap (a static array in the server's .bss) for PBUF_RAM and friends. */
#define MEM_SIZE (512 * 1024)
#define MEMP_NUM_PBUF 64
#define PBUF_POOL_SIZE 256
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 32
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_RAW_PCB 8

/* ---- Protocols ------------------------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
/* Raw IP pcbs: what a ping client needs. */
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_CHECK_LINK_UP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1

/* ---- TCP ------------------------------------------------------------------------------- */
#define TCP_MSS 1460
/* 16 segments: below 64 KiB, so no window scaling is needed. */
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
/* lwIP's sanity check in init.c requires MEMP_NUM_TCP_SEG >= TCP_SND_QUEUELEN. */
#define MEMP_NUM_TCP_SEG (2 * TCP_SND_QUEUELEN)
#define LWIP_TCP_KEEPALIVE 1
/* SO_REUSEADDR: a restarted server (DESIGN.md §5) must be able to rebind its port. */
#define SO_REUSE 1

/* ---- Network interfaces ---------------------------------------------------------------- */
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
/*
 * 127.0.0.1 for programs talking to each other. With NO_SYS the server's loop must call
 * netif_poll_all() to deliver looped-back packets.
 */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1

/* ---- Diagnostics ----------------------------------------------------------------------- */
/* Counters are cheap and the server can report them; printing them is left to it. */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0

#endif /* AXO_LWIPOPTS_H */
