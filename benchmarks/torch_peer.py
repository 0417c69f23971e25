"""PyTorch peer of `wasserflow bench`: the same networks, batch sizes and training loop, timed the same way.

`./wasserflow bench` runs it with the newest PyTorch it finds: a venv it makes once from a local torch
wheel (the folders pip's configuration names in find-links, no network), else Debian's python3-torch.
By hand, with any interpreter that has torch:
    PYTHON benchmarks/torch_peer.py --arch toy|dcgan --constraint clip|gp [--threads 2] [--seconds 20] [--warmup 3] [--json]

Networks (no batch norm anywhere):
- toy: generator z(2) -> 3 x [Linear 512, ReLU] -> Linear 2; critic 2 -> 3 x [Linear 512, ReLU] -> Linear 1;
  batch 256; real data 8gaussians (centres (+-1,0), (0,+-1), (+-1/sqrt2, +-1/sqrt2) scaled by 2, plus
  0.02 N(0,I), all divided by 1.414), drawn fresh each batch.
- dcgan (gan_mnist.py of the WGAN-GP reference, 28x28x1, DIM 64, batch 50, z 128): generator
  Linear(128, 4*4*4*DIM), ReLU, reshape (4DIM,4,4), ConvT(4DIM->2DIM, 5, s2, p2, op1) -> 8x8, ReLU, crop 7x7,
  ConvT(2DIM->DIM) -> 14x14, ReLU, ConvT(DIM->1) -> 28x28, Sigmoid; critic Conv(1->DIM, 5, s2, p2), LReLU(0.2),
  Conv(DIM->2DIM), LReLU, Conv(2DIM->4DIM), LReLU, flatten, Linear(4*4*4*DIM, 1); real data uniform [0,1]
  images (the speed does not depend on content).
- clip: RMSprop lr 5e-5, critic parameters clamped to [-0.01, 0.01] after every critic update.
  gp: Adam lr 1e-4 betas (0.5, 0.9), penalty lambda * mean (||grad_x D(xhat)|| - 1)^2 at
  xhat = eps real + (1 - eps) fake, eps ~ U[0,1] per sample, by double backprop
  (torch.autograd.grad(create_graph=True)); lambda 10 (0.1 for toy).

A critic step is one critic update on one real batch (fake from the generator under no_grad); after every
5 critic steps comes one generator step (loss -mean D(G(z)), fresh z, same batch size), whose time counts
within the timed window, as in a real loop. Reported: critic steps per second over the window after warm-up.

FLOP model, a stated approximation, the same as Wasserflow's models.nets.Flops (the Java benchmark):
    forward flops per sample, d (critic) and g (generator): 2 flops per multiply-add of
        Linear           in * out
        Conv2d           out_h * out_w * k * k * in_c * out_c
        ConvTranspose2d  in_h * in_w * k * k * in_c * out_c
    (elementwise layers, optimiser updates and the penalty's arithmetic are ignored); backward = 2 x forward.
    per critic step, batch B, n_critic = 5:
        clip: 3d * 2B        critic fwd+bwd on real and fake
            + g * B          generator fwd for the fakes
        gp:   clip + 3d * B  critic fwd+bwd at xhat (with create_graph)
                   + 3d * B  double backward (tangent fwd + its reverse), counted as 3 forwards on B
        plus, amortised, (3g * B + 3d * B) / 5   the generator step: generator and critic fwd+bwd on B
    GFLOP/s = critic steps/s * flops per critic step / 1e9.

Threads: --threads sets ATen's OpenMP pool (torch.set_num_threads) and, because Debian's build calls
OpenBLAS as a plain BLAS (BLAS_INFO=generic) whose own pthread pool otherwise has one thread per CPU, also
OpenBLAS's pool (openblas_set_num_threads, in this process only). Nothing else is tuned: the OpenMP wait
policy etc. come from the caller's environment. libgomp's default wait policy spins, and its idle workers
then compete with OpenBLAS's threads for the CPUs. On a 2-vCPU AMD EPYC (Zen 3, KVM), idle, --threads 2,
--seconds 10, critic steps/s (toy gp, toy clip, dcgan gp, dcgan clip):
    default environment          8.7  14.6  1.9  2.8
    OMP_WAIT_POLICY=PASSIVE     19.8  34.9  2.7  3.8
and with another job on the CPUs the default fell 5-10x further, so benchmark on an otherwise idle machine
and say which wait policy was used. (Transposed convolutions here run on ATen's im2col + OpenBLAS path,
the convolutions on oneDNN jit:avx2.)
"""
import argparse
import ctypes
import json
import math
import os
import time

import torch
from torch import nn

N_CRITIC = 5


def toy_nets():
    gen = nn.Sequential(nn.Linear(2, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                        nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 2))
    critic = nn.Sequential(nn.Linear(2, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                           nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 1))
    return gen, critic, 2, 256


class Crop(nn.Module):
    def forward(self, x):
        return x[:, :, :7, :7]


class View(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


def dcgan_nets(dim=64):
    gen = nn.Sequential(
        nn.Linear(128, 4 * 4 * 4 * dim), nn.ReLU(), View(4 * dim, 4, 4),
        nn.ConvTranspose2d(4 * dim, 2 * dim, 5, stride=2, padding=2, output_padding=1), nn.ReLU(), Crop(),
        nn.ConvTranspose2d(2 * dim, dim, 5, stride=2, padding=2, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(dim, 1, 5, stride=2, padding=2, output_padding=1), nn.Sigmoid())
    critic = nn.Sequential(
        nn.Conv2d(1, dim, 5, stride=2, padding=2), nn.LeakyReLU(0.2),
        nn.Conv2d(dim, 2 * dim, 5, stride=2, padding=2), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * dim, 4 * dim, 5, stride=2, padding=2), nn.LeakyReLU(0.2),
        View(4 * 4 * 4 * dim), nn.Linear(4 * 4 * 4 * dim, 1))
    return gen, critic, 128, 50


def forward_flops(net, x):
    """Forward flops per sample (the model in the docstring), from the shapes seen in one forward pass."""
    total = 0.0
    for layer in net:
        y = layer(x)
        if isinstance(layer, nn.Linear):
            total += 2.0 * layer.in_features * layer.out_features
        elif isinstance(layer, nn.Conv2d):
            k = layer.kernel_size[0] * layer.kernel_size[1]
            total += 2.0 * y.shape[2] * y.shape[3] * k * layer.in_channels * layer.out_channels
        elif isinstance(layer, nn.ConvTranspose2d):
            k = layer.kernel_size[0] * layer.kernel_size[1]
            total += 2.0 * x.shape[2] * x.shape[3] * k * layer.in_channels * layer.out_channels
        x = y
    return total


def flops_per_critic_step(d, g, batch, gp):
    step = 3 * d * 2 * batch + g * batch
    if gp:
        step += 3 * d * batch + 3 * d * batch
    return step + (3 * g * batch + 3 * d * batch) / N_CRITIC


def eight_gaussians(n):
    s = 1 / math.sqrt(2)
    centres = torch.tensor([(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (s, -s), (-s, s), (-s, -s)]) * 2
    idx = torch.randint(0, 8, (n,))
    return (centres[idx] + 0.02 * torch.randn(n, 2)) / 1.414


def set_openblas_threads(n):
    """Limit the OpenBLAS that torch already loaded (if any) to n threads; never loads a second copy."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        lib.openblas_set_num_threads(n)
    except (OSError, AttributeError):
        pass


def libraries():
    """What decides this build's speed: its BLAS, oneDNN and the instruction set ATen dispatches to."""
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split() if part.startswith("BLAS_INFO=")), "?")
    mkl = next((line.strip(" -") for line in config.splitlines() if "Math Kernel Library" in line), "")
    dnn = next((line.strip(" -") for line in config.splitlines() if "MKL-DNN" in line or "oneDNN" in line), "")
    isa = torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "?"
    return f"BLAS {blas}" + (f" ({mkl.split(' for ')[0]})" if mkl else "") + (f", {dnn.split(' (')[0]}" if dnn else "") + f", ATen {isa}"


def main():
    p = argparse.ArgumentParser(description="PyTorch peer of `wasserflow bench` (see the module docstring)")
    p.add_argument("--arch", choices=["toy", "dcgan"], default="toy")
    p.add_argument("--constraint", choices=["clip", "gp"], default="gp")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    set_openblas_threads(a.threads)
    torch.manual_seed(1)

    toy = a.arch == "toy"
    gp = a.constraint == "gp"
    gen, critic, z_dim, batch = toy_nets() if toy else dcgan_nets()
    lam = 0.1 if toy else 10.0
    if gp:
        opt_d = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.5, 0.9))
        opt_g = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.5, 0.9))
    else:
        opt_d = torch.optim.RMSprop(critic.parameters(), lr=5e-5)
        opt_g = torch.optim.RMSprop(gen.parameters(), lr=5e-5)

    def real_batch():
        return eight_gaussians(batch) if toy else torch.rand(batch, 1, 28, 28)

    def critic_step():
        real = real_batch()
        with torch.no_grad():
            fake = gen(torch.randn(batch, z_dim))
        opt_d.zero_grad()
        loss = critic(fake).mean() - critic(real).mean()
        if gp:
            eps = torch.rand(batch, *([1] * (real.dim() - 1)))
            x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
            g, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
            loss = loss + lam * ((g.reshape(batch, -1).norm(dim=1) - 1) ** 2).mean()
        loss.backward()
        opt_d.step()
        if not gp:
            with torch.no_grad():
                for q in critic.parameters():
                    q.clamp_(-0.01, 0.01)

    def generator_step():
        opt_g.zero_grad()
        (-critic(gen(torch.randn(batch, z_dim))).mean()).backward()
        opt_g.step()

    with torch.no_grad():
        d = forward_flops(critic, real_batch())
        g = forward_flops(gen, torch.randn(batch, z_dim))
    per_step = flops_per_critic_step(d, g, batch, gp)

    steps, start = 0, time.perf_counter()
    timed_start = None
    while True:
        now = time.perf_counter()
        if timed_start is None and now - start >= a.warmup:
            timed_start, steps = now, 0
        if timed_start is not None and now - timed_start >= a.seconds:
            break
        critic_step()
        steps += 1
        if steps % N_CRITIC == 0:
            generator_step()
    elapsed = time.perf_counter() - timed_start
    rate = steps / elapsed
    out = {"arch": a.arch, "constraint": a.constraint, "threads": a.threads, "critic_steps_per_s": rate,
           "gflops": rate * per_step / 1e9, "torch": torch.__version__, "seconds": elapsed, "libraries": libraries(),
           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default")}
    if a.json:
        print(json.dumps(out))
    else:
        print(f"PyTorch {torch.__version__}: {rate:.2f} critic steps/s, {out['gflops']:.2f} GFLOP/s "
              f"({a.arch}, {a.constraint}, {a.threads} threads, {steps} critic steps in {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
