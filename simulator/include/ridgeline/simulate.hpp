#pragma once
// The simulator: a transformer step decomposed into operator records, each timed by a roofline
// (time = max(FLOPs / compute rate, bytes / bandwidth) + launch overhead), summed over the
// prefill chunks and decode steps of a workload in closed form; plus the memory timeline.
// One header for the whole simulator, by concern:
//   scenario.hpp    Workload, Scenario, make_scenario
//   ops.hpp         operator records of one step and their roofs (ops.cpp)
//   phase_sums.hpp  step times summed over a phase in closed form (phase_sums.cpp)
//   memory.hpp      KV allocation, transient buffers, peak memory, the OOM context (memory.cpp)
//   prediction.hpp  the Prediction record and predict (predict.cpp)
#include "ridgeline/memory.hpp"
#include "ridgeline/ops.hpp"
#include "ridgeline/phase_sums.hpp"
#include "ridgeline/prediction.hpp"
#include "ridgeline/scenario.hpp"
