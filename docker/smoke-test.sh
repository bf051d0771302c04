#!/usr/bin/env bash
# Build docker/Dockerfile with podman + runc FROM a Debian base made with debootstrap (no
# registry is needed), then run the fem-spin command inside it, serially and under
# `mpiexec -n 2`. Usage (as root, from anywhere):
#
#   docker/smoke-test.sh            # build (the base image is made once and kept) and test
#   KEEP_IMAGE=0 docker/smoke-test.sh   # remove the fem_spin image afterwards
#
# Environment: SUITE (Debian suite of the base, default trixie), ROOTFS (where debootstrap
# writes, default /var/tmp/fem_spin-rootfs-$SUITE), BASE_IMAGE, IMAGE (image names),
# CA_BUNDLE (host CA bundle mounted for pip at build time when it exists; default
# /etc/ssl/certs/ca-certificates.crt).
#
# Why runc and the explicit ulimits: on this kind of machine (cgroup v1 "hybrid") podman's
# default runtime crun fails ("cgroups in hybrid mode not supported", "setrlimit
# RLIMIT_NOFILE"), and runc refuses to raise the inherited limits unless they are given.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=${SUITE:-trixie}
ROOTFS=${ROOTFS:-/var/tmp/fem_spin-rootfs-$SUITE}
BASE_IMAGE=${BASE_IMAGE:-localhost/fem_spin-base:$SUITE}
IMAGE=${IMAGE:-localhost/fem_spin:smoke}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
KEEP_IMAGE=${KEEP_IMAGE:-1}
PODMAN=(podman --runtime runc)
RUN=("${PODMAN[@]}" run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

t_start=$SECONDS
step() { printf '\n== [%4ds] %s\n' "$((SECONDS - t_start))" "$*"; }

step "tools: podman, runc, debootstrap"
missing=()
for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman runc debootstrap uidmap \
    fuse-overlayfs slirp4netns >/dev/null
fi
podman --version; runc --version | head -1

if ! podman image exists "$BASE_IMAGE"; then
  step "base image $BASE_IMAGE: debootstrap --variant=minbase $SUITE (about a minute)"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$ROOTFS" >/dev/null
  tar -C "$ROOTFS" -c . | podman import - "$BASE_IMAGE" >/dev/null
  rm -rf "$ROOTFS"
else
  step "base image $BASE_IMAGE exists (podman rmi it to rebuild)"
fi

step "build $IMAGE FROM $BASE_IMAGE"
build_args=(--build-arg "BASE=$BASE_IMAGE")
if [ -f "$CA_BUNDLE" ]; then
  # TLS to the package index goes through this machine's CA: pip needs its bundle
  build_args+=(-v "$CA_BUNDLE:/run/hostca.crt:ro" --build-arg PIP_CERT=/run/hostca.crt)
fi
t0=$SECONDS
"${PODMAN[@]}" build --network=host "${build_args[@]}" -f docker/Dockerfile -t "$IMAGE" .
echo "build: $((SECONDS - t0)) s, image size $(podman image inspect "$IMAGE" --format '{{.Size}}' \
  | awk '{printf "%.0f MB", $1 / 1e6}')"

step "fem-spin --help and the bundled demos"
"${RUN[@]}" "$IMAGE" --help | head -12
"${RUN[@]}" "$IMAGE" demos

step "fem-spin demos run cpp_bilayer under mpiexec -n 2"
t0=$SECONDS
"${RUN[@]}" --entrypoint mpiexec "$IMAGE" -n 2 fem-spin demos run cpp_bilayer \
  --h-max 1.0 --samples 401 --out /tmp/cpp_bilayer
echo "demo under mpiexec -n 2: $((SECONDS - t0)) s (including the JIT compilation)"

step "fem-spin run examples/slab_2d.toml under mpiexec -n 2, then fem-spin plot"
t0=$SECONDS
"${RUN[@]}" --entrypoint sh "$IMAGE" -c '
  set -e
  mpiexec -n 2 fem-spin run /opt/fem_spin/examples/slab_2d.toml --out /tmp/slab --quiet
  fem-spin plot /tmp/slab
  python - <<EOF
import json
s = json.load(open("/tmp/slab/summary.json"))
print("status", s["status"], "| cells", int(s["mesh"]["cells"]), "| ranks", s["mpi_ranks"],
      "| solve", s["solve"]["reason"], "| pictures", s["pictures"])
assert s["status"] == "success"
EOF
  ls /tmp/slab'
echo "slab case under mpiexec -n 2: $((SECONDS - t0)) s"

step "headless PyVista: an off-screen screenshot"
"${RUN[@]}" --entrypoint python "$IMAGE" -c '
import pyvista
pl = pyvista.Plotter(off_screen=True, window_size=(200, 150))
pl.add_mesh(pyvista.Sphere())
img = pl.screenshot("/tmp/sphere.png", return_img=True)
print("pyvista", pyvista.__version__, "screenshot", img.shape, "non-white pixels",
      int((img < 250).any(axis=-1).sum()))'

if [ "$KEEP_IMAGE" = 0 ]; then podman rmi "$IMAGE" >/dev/null; fi
step "smoke test passed"
