# SPDX-License-Identifier: GPL-2.0
#
# sched-hotplug-stress: patch Linux 6.1.176 with patches/series, build it,
# boot it with 4 CPUs under QEMU and hotplug-stress it.  `make help` lists
# the targets and the variables in effect.

SHELL := /bin/bash

# Settings a user may give on the command line (see README.md).
SCENARIO ?= mixed
# The shipped scenarios: one file each in scenarios/ (SCENARIO= also takes
# the path of a user's own .scenario file).
SCENARIOS_LIST := $(basename $(notdir $(wildcard scenarios/*.scenario)))
DURATION ?= 60
CPUS ?= 4
SEED ?=
COVER_EXTEND ?=
KCONFIG ?= debug
ACCEL ?= auto
INJECT ?= auto
DRIVER ?= shs
EXTRA_PATCHES ?=
KERNEL_TARBALL ?=
KERNEL_SHA256 ?=
KERNEL_SRC ?=
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sched-hotplug-stress
RESULTS_DIR ?= $(CURDIR)/results
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))
V ?= 0

export SCENARIO DURATION COVER_EXTEND CPUS SEED KCONFIG ACCEL INJECT DRIVER EXTRA_PATCHES KERNEL_TARBALL
export KERNEL_SHA256 KERNEL_SRC CACHE_DIR RESULTS_DIR JOBS V

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all help deps check-settings tree patch kernel initramfs run rerun \
	report test lint unit e2e mutants bench bench-quick clean scenarios judge reverts \
	detect-stats

# The main job: everything from a fresh clone to a verdict.
all: check-settings deps tree kernel initramfs run

help:
	@echo 'Targets:'
	@echo '  all (default)  deps, tree, kernel, initramfs, run: a verdict from nothing'
	@echo '  deps           install the Debian packages that are missing'
	@echo '  tree           obtain and unpack the vanilla source (cached)'
	@echo '  patch          apply patches/series + EXTRA_PATCHES to the work tree'
	@echo '  kernel         patch, configure and build (objects kept between runs)'
	@echo '  initramfs      build the guest programs and pack the initramfs'
	@echo '  run            boot the built kernel and stress it (new results dir)'
	@echo '  rerun          same as run, without rebuilding anything'
	@echo '  report         reprint the summary of the last run'
	@echo '  test           lint, host-side unit tests, end-to-end boots, mutants, bench-quick'
	@echo '  lint           shellcheck and checkpatch.pl --strict'
	@echo '  mutants        A/B: each tests/mutants/*.patch must be caught, the series must pass'
	@echo '  bench          build, boot, hotplug and time-to-detect figures against the'
	@echo '                 selftest shell loop and rcutorture; regenerates BENCHMARKS.md (~1 h)'
	@echo '  bench-quick    the same, cut down (< 10 min); part of test'
	@echo '  clean          remove the objects of KCONFIG=$(KCONFIG) and the initramfs'
	@echo '  soak           guests back to back (SOAK_TIME=8h or SOAK_RUNS=N, SOAK_JOBS,'
	@echo '                 SOAK_HOSTS=u@a,u@b ...): results/<date>-soak/soak.md'
	@echo '  repro          RUN=results/<dir>: re-run exactly that run, say if it reproduced'
	@echo '  scenarios      list the scenarios (scenarios/*.scenario) and check them'
	@echo '  reverts        the upstream-revert matrix: tests/upstream-reverts/*.patch through'
	@echo '                 the soak engine (REVERT_RUNS=3, REVERT_INJECT, REVERT_DRIVERS; hours)'
	@echo '  detect-stats   detection probability of each mutant over DETECT_RUNS=20 seeds,'
	@echo '                 both drivers, injection on and off, and the series alone'
	@echo '                 as control; regenerates DETECTION.md (hours)'
	@echo '  judge          RUN=results/<dir>: re-judge a past run from its files alone;'
	@echo '                 RUN=all: every run under RESULTS_DIR, listing changed verdicts'
	@echo 'Scenarios (SCENARIO=; scenarios/*.scenario, or the path of your own):'
	@scripts/scenarios.sh list
	@echo 'Variables in effect:'
	@echo '  SCENARIO=$(SCENARIO) ($(SCENARIOS_LIST), or a .scenario file)'
	@echo '  DURATION=$(DURATION) CPUS=$(CPUS) SEED=$(or $(SEED),random) ACCEL=$(ACCEL) INJECT=$(INJECT)'
	@echo '  DRIVER=$(DRIVER) (shs shell rcutorture: what drives hotplug)'
	@echo '  COVER_EXTEND=$(or $(COVER_EXTEND),DURATION) (s the shs driver may go on while a required window is uncrossed)'
	@echo '  KCONFIG=$(KCONFIG) EXTRA_PATCHES=$(EXTRA_PATCHES)'
	@echo '  KERNEL_TARBALL=$(KERNEL_TARBALL) KERNEL_SHA256=$(KERNEL_SHA256) KERNEL_SRC=$(KERNEL_SRC)'
	@echo '  CACHE_DIR=$(CACHE_DIR)'
	@echo '  RESULTS_DIR=$(RESULTS_DIR) JOBS=$(JOBS) V=$(V)'

# Bad settings fail here, in a second, not after a build.
check-settings:
	$(Q)scripts/run.sh --check

deps:
	$(Q)scripts/deps.sh

tree: deps
	$(Q)scripts/tree.sh

patch: check-settings deps
	$(Q)scripts/kernel.sh --patch-only

# kernel.sh and tree.sh wait for each other's locks, so make -j works.
kernel: check-settings deps tree
	$(Q)scripts/kernel.sh

initramfs: deps
	$(Q)scripts/initramfs.sh

run: check-settings kernel initramfs
	$(Q)scripts/run.sh

rerun: check-settings
	$(Q)scripts/run.sh

report:
	$(Q)scripts/report.sh

lint: deps
	$(Q)tests/lint.sh

unit: deps
	$(Q)tests/unit.sh

e2e: deps
	$(Q)tests/e2e.sh

# Each regression mutant must fail as its header says; the series alone
# must pass the same run.
mutants: deps
	$(Q)tests/run-all.sh mutants

# The benchmark: raw numbers and BENCHMARKS.md in a new results directory;
# bench also regenerates BENCHMARKS.md at the top.
bench: deps initramfs
	$(Q)scripts/bench.sh

bench-quick: deps initramfs
	$(Q)scripts/bench.sh --quick

# Every test, ending with "N passed, N failed".
test: deps
	$(Q)tests/run-all.sh

clean:
	$(Q)scripts/clean.sh

scenarios:
	$(Q)scripts/scenarios.sh list

reverts: deps initramfs
	$(Q)scripts/reverts.sh

# Detection statistics of the regression mutants (issue 12): DETECT_RUNS
# seeds per mutant x driver x injection setting, and the series alone as
# the control; DETECTION.md is regenerated from the run (hours: overnight).
DETECT_RUNS ?= 20
detect-stats: deps initramfs
	$(Q)REVERT_RUNS=$(DETECT_RUNS) scripts/reverts.sh --name detect --publish DETECTION.md tests/mutants/*.patch

RUN ?=
judge:
	$(Q)scripts/judge.sh $(or $(RUN),$(error RUN=results/<dir> or RUN=all is needed))

# Soak, repro and scale-out (README.md): empty means the script's default.
SOAK_TIME ?=
SOAK_RUNS ?=
SOAK_SCENARIOS ?=
SOAK_DRIVERS ?=
SOAK_STOP ?=
SOAK_JOBS ?=
SOAK_HOSTS ?=
SOAK_SEED ?=
RUN ?=
export SOAK_TIME SOAK_RUNS SOAK_SCENARIOS SOAK_DRIVERS SOAK_STOP SOAK_JOBS SOAK_HOSTS SOAK_SEED

.PHONY: soak repro

# Builds once (here, or on each of SOAK_HOSTS), then runs until done.
soak: check-settings deps
	$(Q)scripts/soak.sh

repro: deps
	$(Q)scripts/repro.sh $(RUN)
