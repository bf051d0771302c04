"""fem_spin.geometry.interval.stack_nodes, the one builder of graded 1D nodes, gives the nodes
of the four builders it replaced: the bilayer's (fem_spin.paper.bilayer.bilayer_nodes), the
ring side's (fem_spin.paper.ring.side_nodes), the case files' graded multilayer
(the old app case builder's _graded_stack_nodes) and square ring (the ring branch of
the old case builder). The old builders are copied here verbatim as the
reference."""

import itertools

import numpy as np
import pytest

from fem_spin.errors import InputError
from fem_spin.geometry.interval import graded_nodes, stack_nodes
from fem_spin.paper.bilayer import BilayerCase
from fem_spin.paper.ring import ring_nodes

# -- the old builders (before the one-architecture restructuring) ---------------------------


def old_bilayer_nodes(length, l_da, h_max):
    h_spacer = min(h_max, l_da / 10)
    right = graded_nodes(0.0, length, h_max, refine=[(0.0, h_spacer)])
    return np.concatenate([-right[:0:-1], right])


def old_side_nodes(length, l_da, h_max):
    half = graded_nodes(0.0, length / 2, h_max, refine=[(0.0, min(h_max, l_da / 10))])
    return np.concatenate([half, length - half[-2::-1]])


def old_graded_stack_nodes(layers, x0, h_max, h_interface, growth):
    h_int = min(h_interface, h_max)
    nodes = [np.array([x0])]
    a, n = x0, len(layers)
    for i, (_, t) in enumerate(layers):
        b = a + t
        left, right = i > 0, i < n - 1
        if left and right:
            half = graded_nodes(0.0, t / 2, h_max, refine=[(0.0, h_int)], growth=growth)
            local = np.concatenate([half, t - half[-2::-1]])
            xs = a + local
        elif left:
            xs = a + graded_nodes(0.0, t, h_max, refine=[(0.0, h_int)], growth=growth)
        elif right:
            xs = b - graded_nodes(0.0, t, h_max, refine=[(0.0, h_int)], growth=growth)[::-1]
        else:
            xs = a + graded_nodes(0.0, t, h_max, growth=growth)
        xs[0], xs[-1] = a, b
        nodes.append(xs[1:])
        a = b
    return np.concatenate(nodes)


def old_ring_branch(side, h_max, h_corner, growth):
    half = graded_nodes(0.0, side / 2, h_max, refine=[(0.0, h_corner)], growth=growth)
    return np.concatenate([half, side - half[-2::-1]])


# -- the comparisons ------------------------------------------------------------------------

LENGTHS = (2.0, 5.0, 10.0, 11.5, 37.3, 100.0, 1000.0)
L_DAS = (0.25, 0.6, 2.0, 5.0, 10.0)
H_MAXES = (0.15, 0.3, 0.5, 1.0)


@pytest.mark.parametrize("length", LENGTHS)
def test_bilayer_nodes(length):
    """Bitwise, but for the two end nodes: the old builder put them at +-L (1 +- 2^-52) for
    some parameters (the stretch of the last cell onto L rounds); the new one exactly at +-L."""
    for l_da, h_max in itertools.product(L_DAS, H_MAXES):
        old = old_bilayer_nodes(length, l_da, h_max)
        new = stack_nodes([length, length], h_max, l_da / 10, x0=-length)
        assert new.shape == old.shape
        np.testing.assert_array_equal(new[1:-1], old[1:-1])
        np.testing.assert_allclose(new[[0, -1]], old[[0, -1]], rtol=1e-15, atol=0)
        assert new[0] == -length and new[-1] == length
        np.testing.assert_array_equal(BilayerCase(theta=90.0, length=length, l_da=l_da)
                                      .nodes(h_max), new)
    # the demos' default mesh is the same to the last bit
    np.testing.assert_array_equal(stack_nodes([100.0, 100.0], 0.3, 0.06, x0=-100.0),
                                  old_bilayer_nodes(100.0, 0.6, 0.3))


@pytest.mark.parametrize("length", LENGTHS)
def test_ring_side_nodes(length):
    for l_da, h_max in itertools.product(L_DAS, H_MAXES):
        if not length > 2 * l_da:
            continue
        old = old_side_nodes(length, l_da, h_max)
        np.testing.assert_array_equal(
            stack_nodes([length], h_max, l_da / 10, graded_ends=True), old)
        np.testing.assert_array_equal(ring_nodes(length, l_da, h_max), old)


@pytest.mark.parametrize("layers, x0", [
    ([("fm_left", 100.0), ("fm_right", 100.0)], -100.0),
    ([("fixed", 6.0), ("spacer", 3.0), ("free", 4.0), ("cap", 7.0)], 0.0),
    ([("bulk", 10.0)], 0.0),
    ([("a", 5.0), ("b", 1.3), ("c", 20.0)], -7.1),
])
def test_case_file_stack_nodes(layers, x0):
    for h_max, h_interface, growth in itertools.product((0.3, 1.0, 2.0), (0.06, 0.2, 5.0),
                                                        (0.15, 0.2, 0.5)):
        np.testing.assert_array_equal(
            stack_nodes([t for _, t in layers], h_max, h_interface, x0=x0, growth=growth),
            old_graded_stack_nodes(layers, x0, h_max, h_interface, growth))


def test_case_file_ring_nodes():
    for side, h_max, h_corner, growth in itertools.product(
            (7.7, 10.0, 100.0, 1000.0), (0.3, 1.0), (0.06, 0.1, 2.0), (0.15, 0.3)):
        np.testing.assert_array_equal(
            stack_nodes([side], h_max, h_corner, growth=growth, graded_ends=True),
            old_ring_branch(side, h_max, h_corner, growth))


def test_stack_nodes_shape_and_errors():
    nodes = stack_nodes([6.0, 3.0, 4.0], 1.0, 0.1, x0=-2.0)
    assert nodes[0] == -2.0 and nodes[-1] == 11.0
    assert {4.0, 7.0} <= set(nodes)  # the interfaces are nodes
    assert np.all(np.diff(nodes) > 0) and np.diff(nodes).max() <= 1.0 + 1e-12
    assert np.diff(nodes).min() == pytest.approx(0.1, rel=0.2)
    np.testing.assert_allclose(np.diff(stack_nodes([4.0], 0.5)), 0.5)  # no grading: uniform
    for bad in ([], [1.0, 0.0], [-1.0]):
        with pytest.raises(InputError):
            stack_nodes(bad, 1.0)
