"""Case-file texts shared by the schema tests and the fuzzers."""

# a valid two-layer case: every section, two [[outputs.lines]]
BILAYER = """\
name = "bi"

[geometry]
kind = "multilayer"
layers = [{ name = "fm_left", thickness = 10.0 }, { name = "fm_right", thickness = 10.0 }]
mesher = "graded"
h_max = 1.0

[materials.fm_left]
D = 1000.0
tau = 10.0
lam = 10.0

[materials.fm_right]
D = 1000.0
tau = 10.0
lam = 10.0

[magnetization]
kind = "layered"
l_da = 0.6
axes = { fm_left = [0, 0, 1], fm_right = { theta_deg = 90 } }

[drive]
m_eq = "zero"

[[drive.dirichlet]]
boundary = "left"
value = [0.0, 0.0, -1.0]

[[drive.dirichlet]]
boundary = "right"
value = "axis"

[[outputs.lines]]
name = "first"
points = [[0.0], [20.0]]

[[outputs.lines]]
name = "second"
points = [[0.0], [10.0]]
samples = 11
"""


# the 1D fixed / spacer / free stack of the dynamics tests, after its name and before its
# [dynamics] table (test_dynamics_demo, test_faults)
STACK_1D = """\
[geometry]
kind = "multilayer"
layers = [{ name = "fixed", thickness = 10.0 }, { name = "spacer", thickness = 4.0 },
          { name = "free", thickness = 6.0 }]
mesher = "graded"
h_max = 0.5

[materials.default]
D = 1000.0
tau = 10.0
lam = -2.0

[magnetization]
kind = "layered"
axes = { fixed = [0.0, 0.0, 1.0], spacer = [0.0, 0.0, 0.0], free = { theta_deg = 30 } }

[drive]
flux = [{ boundary = "left", value = [0.0, 0.0, 1.0] }]
dirichlet = [{ boundary = "right", value = [0.0, 0.0, 0.0] }]
"""
