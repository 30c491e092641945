// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_queue.c - the queues' common part and the completion rule
 * (Documentation/ttydpc/queues.rst).
 */
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "ttydpc.h"

/**
 * ttydpc_queue_init() - set up a queue, stopped
 * @q: the queue
 */
void ttydpc_queue_init(struct ttydpc_queue *q)
{
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->requests);
	refcount_set(&q->refs, 0);
	q->flags = BIT(TTYDPC_Q_STOPPING);
	atomic_long_set(&q->entered, 0);
}

/**
 * ttydpc_queue_start() - open a queue to agents (port startup)
 * @q: the queue, stopped and drained
 */
void ttydpc_queue_start(struct ttydpc_queue *q)
{
	refcount_set(&q->refs, 1);
	clear_bit(TTYDPC_Q_HELD, &q->flags);
	smp_mb__before_atomic();	/* refs set before agents may enter */
	clear_bit(TTYDPC_Q_STOPPING, &q->flags);
}

/**
 * ttydpc_queue_enter() - take an agent reference on a queue
 * @q: the queue
 * Context: any, including hard IRQ.
 * Return: true if entered (call ttydpc_queue_leave()); false once stopping.
 */
bool ttydpc_queue_enter(struct ttydpc_queue *q)
{
	if (test_bit(TTYDPC_Q_STOPPING, &q->flags))
		return false;
	if (!refcount_inc_not_zero(&q->refs))
		return false;
	atomic_long_inc(&q->entered);
	return true;
}

/**
 * ttydpc_queue_leave() - drop an agent reference
 * @q: the queue
 * After this the caller must not touch the queue or its port.
 */
void ttydpc_queue_leave(struct ttydpc_queue *q)
{
	if (refcount_dec_and_test(&q->refs)) {
		/*
		 * wake_up_var() checks the waiters unlocked (see wake_up_bit()),
		 * and refcount_dec_and_test() is only release + acquire.
		 */
		smp_mb();
		wake_up_var(&q->refs);
	}
}

/**
 * ttydpc_queue_stop() - close a queue and wait until no agent is inside
 * @q: the queue
 * @status: completion status for requests still pending (e.g. -EIO)
 */
void ttydpc_queue_stop(struct ttydpc_queue *q, int status)
{
	if (test_and_set_bit(TTYDPC_Q_STOPPING, &q->flags))
		return;
	ttydpc_queue_complete_all(q, status, 0);
	ttydpc_queue_leave(q);
	wait_var_event(&q->refs, refcount_read(&q->refs) == 0);
}

/**
 * ttydpc_request_alloc() - a new request, held once by its issuer
 * @arg: request argument
 */
struct ttydpc_request *ttydpc_request_alloc(u32 arg)
{
	struct ttydpc_request *req = kzalloc(sizeof(*req), GFP_KERNEL);

	if (!req)
		return NULL;
	INIT_LIST_HEAD(&req->node);
	refcount_set(&req->ref, 1);
	init_completion(&req->done);
	req->arg = arg;
	return req;
}

/**
 * ttydpc_request_put() - drop a reference; the last one frees
 * @req: the request
 */
void ttydpc_request_put(struct ttydpc_request *req)
{
	if (refcount_dec_and_test(&req->ref))
		kfree(req);
}

/**
 * ttydpc_request_submit() - list a request on its queue
 * @q: the queue; the caller holds q->lock
 * @req: the request; the queue takes a reference while it is listed
 * Return: false if the queue is stopping (nothing listed).
 */
bool ttydpc_request_submit(struct ttydpc_queue *q, struct ttydpc_request *req)
{
	lockdep_assert_held(&q->lock);
	if (test_bit(TTYDPC_Q_STOPPING, &q->flags))
		return false;
	refcount_inc(&req->ref);
	list_add_tail(&req->node, &q->requests);
	return true;
}

/* The completion rule: true for the one caller that wins. */
static bool ttydpc_request_claim(struct ttydpc_request *req, int status,
				 u32 result)
{
	if (test_and_set_bit(TTYDPC_REQ_DONE, &req->flags))
		return false;
	req->status = status;
	req->result = result;
	list_del_init(&req->node);
	return true;
}

/*
 * Poller first, then the issuer: once the event file's release has seen
 * @done, no completer may touch the file's wait queue head any more.
 */
static void ttydpc_request_signal(struct ttydpc_request *req)
{
	if (req->notify)
		wake_up_interruptible_poll(req->notify, EPOLLIN | EPOLLRDNORM);
	complete_all(&req->done);
}

/**
 * ttydpc_request_end() - end a request that was never listed
 * @req: the request; only its issuer knows it
 * @status: 0 or negative errno
 * @result: result value
 */
void ttydpc_request_end(struct ttydpc_request *req, int status, u32 result)
{
	if (ttydpc_request_claim(req, status, result))
		ttydpc_request_signal(req);
}

/**
 * ttydpc_request_complete() - try to complete one request
 * @q: its queue
 * @req: the request; the caller holds a reference
 * @status: 0 or negative errno
 * @result: result value
 * Return: true if this call completed it, false if another path had.
 */
bool ttydpc_request_complete(struct ttydpc_queue *q, struct ttydpc_request *req,
			     int status, u32 result)
{
	unsigned long flags;
	bool won;

	spin_lock_irqsave(&q->lock, flags);
	won = ttydpc_request_claim(req, status, result);
	spin_unlock_irqrestore(&q->lock, flags);
	if (won) {
		ttydpc_request_signal(req);
		ttydpc_request_put(req);	/* the queue's reference */
	}
	return won;
}

/**
 * ttydpc_queue_complete_events() - complete pending requests with latched events
 * @q: the queue
 * @latched: event latch; the events are taken from it under q->lock
 * @mask: events that may end a request
 *
 * Taking the events and claiming requests is one locked section, so events
 * a cancelled request did not take stay latched.
 */
void ttydpc_queue_complete_events(struct ttydpc_queue *q, atomic_t *latched,
				  u32 mask)
{
	struct ttydpc_request *req, *tmp;
	unsigned long flags;
	LIST_HEAD(done);
	u32 events;

	spin_lock_irqsave(&q->lock, flags);
	events = list_empty(&q->requests) ? 0 : atomic_xchg(latched, 0) & mask;
	if (events) {
		list_for_each_entry_safe(req, tmp, &q->requests, node) {
			if (ttydpc_request_claim(req, 0, events))
				list_add_tail(&req->node, &done);
		}
		if (list_empty(&done))
			atomic_or(events, latched);
	}
	spin_unlock_irqrestore(&q->lock, flags);

	list_for_each_entry_safe(req, tmp, &done, node) {
		list_del_init(&req->node);
		ttydpc_request_signal(req);
		ttydpc_request_put(req);
	}
}

/**
 * ttydpc_queue_complete_all() - complete every request pending on a queue
 * @q: the queue
 * @status: 0 or negative errno for all of them
 * @result: result value for all of them
 */
void ttydpc_queue_complete_all(struct ttydpc_queue *q, int status, u32 result)
{
	struct ttydpc_request *req, *tmp;
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&q->lock, flags);
	list_for_each_entry_safe(req, tmp, &q->requests, node) {
		if (ttydpc_request_claim(req, status, result))
			list_add_tail(&req->node, &done);
	}
	spin_unlock_irqrestore(&q->lock, flags);

	list_for_each_entry_safe(req, tmp, &done, node) {
		list_del_init(&req->node);
		ttydpc_request_signal(req);
		ttydpc_request_put(req);
	}
}

/**
 * ttydpc_queue_pending() - how many requests are listed (debugfs)
 * @q: the queue
 */
unsigned int ttydpc_queue_pending(struct ttydpc_queue *q)
{
	struct ttydpc_request *req;
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_for_each_entry(req, &q->requests, node)
		n++;
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

/* The four queues, in the order debugfs and shutdown walk them. */
const char * const ttydpc_queue_names[TTYDPC_NR_QUEUES] = {
	"read", "write", "purge", "wait",
};

/**
 * ttydpc_port_queue() - a port's queues by number, for walking all four
 * @p: the port
 * @i: 0 .. TTYDPC_NR_QUEUES - 1, as in ttydpc_queue_names[]
 */
struct ttydpc_queue *ttydpc_port_queue(struct ttydpc_port *p, unsigned int i)
{
	switch (i) {
	case 0:
		return &p->rx.q;
	case 1:
		return &p->tx.q;
	case 2:
		return &p->purge.q;
	case 3:
		return &p->wait.q;
	default:
		return NULL;
	}
}
