"""PyTorch peer of `wasserflow bench`: the same networks, batch sizes and training loop, timed the same way.

Run with Debian's interpreter (/usr/bin/python3, python3-torch + libopenblas0-pthread):
    torch_peer.py --arch toy|dcgan --constraint clip|gp [--threads 2] [--seconds 20] [--warmup 3] [--json]

A critic step is one critic update on one real batch; after every 5 critic steps comes one generator
step, whose time counts within the window as in a real loop. FLOP model (the same as Wasserflow's
models.nets.Flops): 2 flops per multiply-add of dense and convolutional layers, backward = 2x forward;
per critic step: critic fwd+bwd on 2B (real and fake) + generator fwd on B; a penalty adds critic
fwd+bwd on B at x-hat and the double-backward pass, counted as 3 more forwards on B; the generator
step (generator and critic fwd+bwd on B) is amortised over the 5 critic steps.
"""
import argparse
import json
import math
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
    """Forward flops per sample, from the shapes seen in one forward pass."""
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


def eight_gaussians(n):
    s = 1 / math.sqrt(2)
    centres = torch.tensor([(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (s, -s), (-s, s), (-s, -s)]) * 2
    idx = torch.randint(0, 8, (n,))
    return (centres[idx] + 0.02 * torch.randn(n, 2)) / 1.414


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", choices=["toy", "dcgan"], default="toy")
    p.add_argument("--constraint", choices=["clip", "gp"], default="gp")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)

    gen, critic, z_dim, batch = toy_nets() if a.arch == "toy" else dcgan_nets()
    toy = a.arch == "toy"
    gp = a.constraint == "gp"
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
    per_step = 3 * d * 2 * batch + g * batch + (6 * d * batch if gp else 0) + (3 * g * batch + 3 * d * batch) / N_CRITIC

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
           "gflops": rate * per_step / 1e9, "torch": torch.__version__, "seconds": elapsed}
    if a.json:
        print(json.dumps(out))
    else:
        print(f"PyTorch {torch.__version__}: {rate:.2f} critic steps/s, {out['gflops']:.2f} GFLOP/s ({a.arch}, {a.constraint}, {a.threads} threads)")


if __name__ == "__main__":
    main()
