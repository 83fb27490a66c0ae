#include "query/critical_path.h"

#include <algorithm>
#include <unordered_map>

namespace spoor {

std::vector<CriticalSegment> CriticalPath(const Trace& trace) {
  const size_t n = trace.spans.size();
  std::vector<CriticalSegment> out;
  if (n == 0) return out;
  std::unordered_map<uint64_t, size_t> index;  // span ID -> position
  for (size_t i = 0; i < n; ++i) index.emplace(trace.spans[i].span.span_id.value, i);
  size_t root = n;
  for (size_t i = 0; i < n; ++i) {
    const Span& s = trace.spans[i].span;
    if (s.parent_span_id.valid() && index.contains(s.parent_span_id.value)) continue;
    if (root == n || s.start_time_ns < trace.spans[root].span.start_time_ns) root = i;
  }
  // Bounds, clipped to the parent's, set from the root down.
  std::vector<std::vector<size_t>> children(n);
  for (size_t i = 0; i < n; ++i) {
    const Span& s = trace.spans[i].span;
    auto parent = s.parent_span_id.valid() ? index.find(s.parent_span_id.value) : index.end();
    if (parent != index.end() && parent->second != i && i != root) {
      children[parent->second].push_back(i);
    }
  }
  std::vector<uint64_t> start(n);
  std::vector<uint64_t> end(n);
  std::vector<uint8_t> reached(n, 0);
  std::vector<size_t> order{root};
  start[root] = trace.spans[root].span.start_time_ns;
  end[root] = std::max(start[root], trace.spans[root].span.end_time_ns);
  reached[root] = 1;
  for (size_t k = 0; k < order.size(); ++k) {
    size_t p = order[k];
    for (size_t c : children[p]) {
      if (reached[c]) continue;  // a cycle in bad data
      reached[c] = 1;
      const Span& s = trace.spans[c].span;
      start[c] = std::clamp(s.start_time_ns, start[p], end[p]);
      end[c] = std::clamp(std::max(s.end_time_ns, s.start_time_ns), start[c], end[p]);
      order.push_back(c);
    }
  }
  // Each span's children, latest end first; `next` walks them as the
  // moment considered moves back in time.
  for (auto& list : children) {
    std::sort(list.begin(), list.end(), [&](size_t a, size_t b) { return end[a] > end[b]; });
  }
  std::vector<size_t> next(n, 0);
  struct Step {
    size_t span;
    uint64_t until;  // the moment considered: time after it is accounted for
  };
  std::vector<Step> stack{{root, end[root]}};
  while (!stack.empty()) {
    Step step = stack.back();
    stack.pop_back();
    const size_t i = step.span;
    // The child that finished last at or before `until`.
    size_t child = n;
    while (next[i] < children[i].size()) {
      size_t c = children[i][next[i]];
      if (!reached[c] || end[c] > step.until) {
        ++next[i];  // finished after the moment: not on the path from here
        continue;
      }
      child = c;
      ++next[i];
      break;
    }
    if (child == n) {
      if (step.until > start[i]) out.push_back({i, start[i], step.until});
      continue;
    }
    if (step.until > end[child]) out.push_back({i, end[child], step.until});
    stack.push_back({i, start[child]});    // then the span before that child began
    stack.push_back({child, end[child]});  // the child first
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace spoor
