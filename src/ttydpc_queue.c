// SPDX-License-Identifier: GPL-2.0
/*
 * ttydpc_queue.c - the four queues' common part and the completion rule.
 *
 * The Linux form of serial.sys' SERIAL_REF_* scheme, in two halves:
 *
 * Lifetime (who may still touch it): refcount_t. A queue has one base
 * reference while its port is up and one per agent inside it; a request has
 * one per holder (its issuer, and the queue while it is listed). The last
 * put frees a request; the last leave lets shutdown finish.
 *
 * Completion (who reports the result): the TTYDPC_REQ_DONE bit. Every path
 * that may end a request - a deferred routine, a signal, close or hangup,
 * purge, a new mask, unbind - calls ttydpc_request_complete() or
 * ttydpc_queue_complete_all(). Under queue->lock, exactly one of them wins
 * test_and_set_bit(TTYDPC_REQ_DONE); only the winner writes the result,
 * unlinks the request and drops the queue's reference. A path that loses
 * returns false and changes nothing, so no result is overwritten, a request
 * is never completed twice, and a request is never freed while listed.
 */
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "ttydpc.h"

/**
 * ttydpc_queue_init() - set up a queue, stopped
 * @q: the queue
 *
 * Context: process, before the port is registered.
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
 *
 * Context: process, tty_port mutex held.
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
 *
 * Context: any, including hard IRQ.
 * Return: true if the caller may use the queue and must call
 * ttydpc_queue_leave(); false once the queue is stopping.
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
 *
 * After this the caller must not touch the queue or its port: shutdown may
 * be waiting for exactly this reference.
 *
 * Context: any.
 */
void ttydpc_queue_leave(struct ttydpc_queue *q)
{
	if (refcount_dec_and_test(&q->refs)) {
		/*
		 * wake_up_var() looks at the wait queue without a lock: order
		 * the store of zero before that look, against the waiter's
		 * set_current_state() before its check (see wake_up_bit()).
		 * refcount_dec_and_test() is only release + acquire on zero.
		 */
		smp_mb();
		wake_up_var(&q->refs);
	}
}

/**
 * ttydpc_queue_stop() - close a queue and wait until no agent is inside
 * @q: the queue
 * @status: completion status for requests still pending (e.g. -EIO)
 *
 * Pending requests are completed with @status so their issuers leave.
 *
 * Context: process, may sleep.
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
 *
 * Context: process.
 * Return: the request or NULL.
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
 *
 * Context: any but hard IRQ.
 */
void ttydpc_request_put(struct ttydpc_request *req)
{
	if (refcount_dec_and_test(&req->ref))
		kfree(req);
}

/**
 * ttydpc_request_submit() - list a request on its queue
 * @q: the queue; the caller holds q->lock
 * @req: the request
 *
 * The queue takes its own reference for as long as the request is listed.
 *
 * Context: q->lock held.
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

/* Winner's half of the rule. Returns true if this caller won. */
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
 * The winner, after unlocking: wake a poller first, then the issuer. The
 * order matters to the event file: once its release has seen @done, no
 * completer touches the file's wait queue head any more.
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
 *
 * For a wait that finds its events already latched: it ends at once, by
 * the same rule, so its issuer reads it as any other ended request.
 *
 * Context: any but hard IRQ.
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
 *
 * Context: any but hard IRQ; takes q->lock.
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
 * Taking the events and claiming the requests happen in one locked
 * section, so a request cancelled at the same moment either gets the
 * events or leaves them latched for the next request: none is lost.
 *
 * Context: any but hard IRQ; takes q->lock.
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
 *
 * Context: any but hard IRQ; takes q->lock.
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
 *
 * Context: any but hard IRQ; takes q->lock.
 * Return: the number of requests on q->requests.
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
