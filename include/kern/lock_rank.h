/*
 * Spinlock ranks of the process layer (see <kern/spinlock.h> and
 * <mm/lock_rank.h>): the process tree and the futex buckets are taken
 * before anything of mm (a futex wait reads the user word, which may fault
 * pages in) as is a process's brk lock (it maps and unmaps), the timer list before a run queue (the tick wakes sleepers),
 * and a run queue is innermost: waking a thread takes nothing else.
 */
#ifndef KERN_LOCK_RANK_H
#define KERN_LOCK_RANK_H

#define CORE_LOCK_RANK_PROC	40
#define CORE_LOCK_RANK_FUTEX	50
#define CORE_LOCK_RANK_BRK	60
#define CORE_LOCK_RANK_TIMER	125
#define CORE_LOCK_RANK_REAP	126
#define CORE_LOCK_RANK_RQ	130

#endif
