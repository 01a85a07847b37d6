/* Suite spinlock: ticket semantics and the debug lock-order rules. */
#include <kern/arch.h>
#include <kern/spinlock.h>
#include <ktest/ktest.h>

static struct spinlock low = SPINLOCK_INIT_ORDERED("test.low", 10);
static struct spinlock high = SPINLOCK_INIT_ORDERED("test.high", 20);
static struct spinlock plain = SPINLOCK_INIT("test.plain");

static void lock_unlock_tickets(struct ktest *t)
{
	uint32_t next = plain.next;

	spin_lock(&plain);
	KEXPECT_TRUE(t, spin_is_held_by_me(&plain));
	KEXPECT_EQ(t, plain.next, next + 1);
	KEXPECT_FALSE(t, spin_trylock(&plain));	/* held: no ticket taken */
	KEXPECT_EQ(t, plain.next, next + 1);
	spin_unlock(&plain);
	KEXPECT_FALSE(t, spin_is_held_by_me(&plain));
	KEXPECT_EQ(t, plain.owner, plain.next);
	KEXPECT_EQ(t, plain.holder, -1);
}

static void trylock_free_lock(struct ktest *t)
{
	KASSERT_TRUE(t, spin_trylock(&plain));
	KEXPECT_TRUE(t, spin_is_held_by_me(&plain));
	spin_unlock(&plain);
	KEXPECT_EQ(t, plain.owner, plain.next);
}

static void order_rule(struct ktest *t)
{
	KEXPECT_TRUE(t, spin_order_allows(&low, &high));
	KEXPECT_FALSE(t, spin_order_allows(&high, &low));
	KEXPECT_FALSE(t, spin_order_allows(&low, &low));
	KEXPECT_TRUE(t, spin_order_allows(&plain, &low));
	KEXPECT_TRUE(t, spin_order_allows(&high, &plain));
}

static void nested_in_order_is_tracked(struct ktest *t)
{
	unsigned int base = spin_held_count();
	unsigned long flags;

	flags = spin_lock_irqsave(&low);
	spin_lock(&high);
#ifdef CONFIG_DEBUG
	KEXPECT_EQ(t, spin_held_count(), base + 2);
#endif
	/* Out-of-order release is allowed. */
	spin_unlock(&low);
	spin_unlock(&high);
	arch_irq_restore(flags);
	KEXPECT_EQ(t, spin_held_count(), base);
}

KTEST_SUITE(spinlock,
	    KTEST_CASE(lock_unlock_tickets),
	    KTEST_CASE(trylock_free_lock),
	    KTEST_CASE(order_rule),
	    KTEST_CASE(nested_in_order_is_tracked));
