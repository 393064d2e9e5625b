#pragma once
// Step times summed over the prefill chunks or decode steps of a phase, in closed form (phase_sums.cpp).
#include "ridgeline/ops.hpp"

namespace ridgeline {

struct PhaseTime {
  double seconds = 0;
  double compute_seconds = 0;  // time in operators where compute binds
  double memory_seconds = 0;   // time in operators where memory binds
  Bound bound() const { return compute_seconds >= memory_seconds ? Bound::compute : Bound::memory; }
  PhaseTime& operator+=(const PhaseTime& o) {
    seconds += o.seconds, compute_seconds += o.compute_seconds, memory_seconds += o.memory_seconds;
    return *this;
  }
  PhaseTime& operator/=(double d) {
    seconds /= d, compute_seconds /= d, memory_seconds /= d;
    return *this;
  }
};
// Sum of step times over contexts first, first + stride, ... (count steps), exact and O(ops).
PhaseTime sum_steps(const Scenario& s, StepShape shape, double first_context, double stride, long long count);
PhaseTime sum_steps(const Scenario& s, const StepInvariants& inv, StepShape shape, double first_context, double stride,
                    long long count);

}  // namespace ridgeline
