// A std::vector kept behind one pointer: 8 bytes while empty instead of 24.
// For members that almost every object leaves empty (AnyValue's array and
// map), so that the common case stays small. Reads of an empty box see an
// empty vector; the first write allocates it.
#pragma once

#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

namespace spoor {

template <typename T>
class BoxedVector {
 public:
  using value_type = T;
  using iterator = typename std::vector<T>::iterator;
  using const_iterator = typename std::vector<T>::const_iterator;

  BoxedVector() = default;
  BoxedVector(std::initializer_list<T> init) { *this = std::vector<T>(init); }
  BoxedVector(const BoxedVector& other) { *this = other; }
  BoxedVector(BoxedVector&&) noexcept = default;
  BoxedVector& operator=(const BoxedVector& other) {
    if (this != &other) {
      if (other.empty()) {
        p_.reset();
      } else {
        p_ = std::make_unique<std::vector<T>>(*other.p_);
      }
    }
    return *this;
  }
  BoxedVector& operator=(BoxedVector&&) noexcept = default;
  BoxedVector& operator=(std::vector<T> v) {
    if (v.empty()) {
      p_.reset();
    } else {
      p_ = std::make_unique<std::vector<T>>(std::move(v));
    }
    return *this;
  }
  BoxedVector& operator=(std::initializer_list<T> init) { return *this = std::vector<T>(init); }
  ~BoxedVector() = default;

  // The vector itself, for code that takes one.
  [[nodiscard]] const std::vector<T>& get() const { return p_ ? *p_ : Empty(); }
  [[nodiscard]] std::vector<T>& mut() {
    if (!p_) p_ = std::make_unique<std::vector<T>>();
    return *p_;
  }
  // NOLINTNEXTLINE(google-explicit-constructor): reads pass where a vector is expected
  operator const std::vector<T>&() const { return get(); }

  [[nodiscard]] size_t size() const { return p_ ? p_->size() : 0; }
  [[nodiscard]] bool empty() const { return !p_ || p_->empty(); }
  const_iterator begin() const { return get().begin(); }
  const_iterator end() const { return get().end(); }
  iterator begin() { return p_ ? p_->begin() : iterator(); }
  iterator end() { return p_ ? p_->end() : iterator(); }
  const T& operator[](size_t i) const { return (*p_)[i]; }
  T& operator[](size_t i) { return (*p_)[i]; }
  const T& front() const { return p_->front(); }
  const T& back() const { return p_->back(); }
  T& back() { return p_->back(); }

  void push_back(T v) { mut().push_back(std::move(v)); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return mut().emplace_back(std::forward<Args>(args)...);
  }
  void resize(size_t n) {
    if (n == 0) {
      p_.reset();
    } else {
      mut().resize(n);
    }
  }
  void reserve(size_t n) {
    if (n > 0) mut().reserve(n);
  }
  void clear() { p_.reset(); }

  bool operator==(const BoxedVector& other) const { return get() == other.get(); }

 private:
  static const std::vector<T>& Empty() {
    static const std::vector<T> empty;
    return empty;
  }

  std::unique_ptr<std::vector<T>> p_;
};

}  // namespace spoor
