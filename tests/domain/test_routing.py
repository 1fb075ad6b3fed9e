"""Next-ticket choice: priority vs normal without starvation (UU 25/2009 Pasal 29)."""
import random

import pytest

from queue_server.domain.errors import ValidationError
from queue_server.domain.office import QueuePolicy
from queue_server.domain.routing import WaitingTicket, choose_next

DEFAULT = QueuePolicy()  # normal_run=2, priority_run=1


def ticket(tid, priority, queued_at, sort_key=None):
    return WaitingTicket(tid, "KIA", "periksa", priority, queued_at, sort_key)


def run(policy, calls, history=()):
    """Both queues always full: the kinds called, as a string of P/N."""
    waiting = [ticket(i, i % 2 == 0, float(i)) for i in range(2 * calls + 2)]
    recent = list(history)
    out = []
    for _ in range(calls):
        t = choose_next(waiting, recent, policy)
        waiting.remove(t)
        recent.append(t.priority)
        out.append("P" if t.priority else "N")
    return "".join(out)


def test_pattern_from_empty_history_default_policy():
    assert run(DEFAULT, 10) == "PNNPNNPNNP"


@pytest.mark.parametrize(
    "normal_run, priority_run, expected",
    [(1, 1, "PNPNPNPN"), (3, 1, "PNNNPNNN"), (2, 2, "PPNNPPNN"), (4, 3, "PPPNNNNPPP")],
)
def test_pattern_other_policies(normal_run, priority_run, expected):
    policy = QueuePolicy(normal_run=normal_run, priority_run=priority_run)
    assert run(policy, len(expected)) == expected


def test_history_is_continued():
    assert run(DEFAULT, 4, history=[True, False]) == "NPNN"
    assert run(DEFAULT, 3, history=[False, False, False, False]) == "PNN"
    # Normal calls only so far (the priority queue was empty): priority goes next.
    assert run(DEFAULT, 1, history=[False]) == "P"
    # A long priority run (the normal queue was empty): normal goes next.
    assert run(DEFAULT, 2, history=[True, True, True]) == "NN"


def test_one_queue_empty_serves_the_other():
    normals = [ticket(1, False, 1.0), ticket(2, False, 2.0)]
    priorities = [ticket(3, True, 1.0), ticket(4, True, 2.0)]
    assert choose_next(normals, [], DEFAULT).ticket_id == 1  # would be P's turn
    assert choose_next(priorities, [True, True, True], DEFAULT).ticket_id == 3  # would be N's turn
    assert choose_next([], [True], DEFAULT) is None


def test_order_by_sort_key_then_id():
    waiting = [
        ticket(5, False, 10.0),
        ticket(3, False, 20.0, sort_key=5.0),  # a skipped number put back earlier
        ticket(2, False, 5.0),
        ticket(9, False, 1.0, sort_key=30.0),  # a skipped number put back later
    ]
    assert choose_next(waiting, [], DEFAULT).ticket_id == 2  # ties with 3 on 5.0: lower id
    assert ticket(1, False, 7.5).sort_key == 7.5


@pytest.mark.parametrize("policy", [QueuePolicy(normal_run=0), QueuePolicy(priority_run=0),
                                    QueuePolicy(priority_run=True)])
def test_invalid_policy(policy):
    with pytest.raises(ValidationError) as e:
        choose_next([ticket(1, False, 1.0)], [], policy)
    assert e.value.code == "queue_policy_invalid"


@pytest.mark.parametrize("seed", range(12))
def test_no_starvation_random_arrivals(seed):
    rng = random.Random(seed)
    policy = QueuePolicy(normal_run=rng.randint(1, 4), priority_run=rng.randint(1, 3))
    window = policy.normal_run + policy.priority_run
    history = [rng.random() < 0.3 for _ in range(rng.randint(0, 8))]
    waiting, next_id, clock = [], 1, 0.0
    log = []  # (kind, both queues non-empty at the call)
    for _ in range(400):
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            clock += rng.random()
            waiting.append(WaitingTicket(next_id, "KK", "periksa", rng.random() < 0.35, clock))
            next_id += 1
        has_p = any(t.priority for t in waiting)
        has_n = any(not t.priority for t in waiting)
        chosen = choose_next(waiting, history, policy)
        if not waiting:
            assert chosen is None
            continue
        # FIFO within the chosen ticket's queue.
        same = [t for t in waiting if t.priority == chosen.priority]
        assert chosen == min(same, key=lambda t: (t.sort_key, t.ticket_id))
        waiting.remove(chosen)
        history.append(chosen.priority)
        log.append((chosen.priority, has_p and has_n))
    both_windows = 0
    for start in range(len(log) - window + 1):
        part = log[start:start + window]
        if all(both for _, both in part):
            both_windows += 1
            kinds = {kind for kind, _ in part}
            assert kinds == {True, False}, (policy, start, part)
    assert both_windows > 0, "the simulation must exercise contended windows"


@pytest.mark.parametrize("seed", range(6))
def test_runs_bounded_when_both_queues_full(seed):
    rng = random.Random(1000 + seed)
    policy = QueuePolicy(normal_run=rng.randint(1, 5), priority_run=rng.randint(1, 4))
    history = [rng.random() < 0.5 for _ in range(rng.randint(0, 10))]
    kinds = run(policy, 60, history)
    assert "N" * (policy.normal_run + 1) not in kinds
    assert "P" * (policy.priority_run + 1) not in kinds
