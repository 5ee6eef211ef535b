// Errors are values: every fallible kernel operation returns Result<T> or Result<void>.
#pragma once

#include <new>
#include <stdint.h>
#include <type_traits>

namespace axo {

enum class Error : uint8_t {
    none = 0,
    invalid_argument,
    out_of_memory,
    malformed,
    overlap,
    out_of_range,
    not_found,
    exists,
    no_permission,
    busy,
    unsupported,
};

// Static string for logs; never nullptr, even for values outside the enum.
const char* error_name(Error error);

template <class T> class [[nodiscard]] Result {
    static_assert(!std::is_reference_v<T>, "Result<T&> is not supported; return a pointer");

public:
    Result(const T& value) : m_error(Error::none) { new (&m_value) T(value); }
    Result(T&& value) : m_error(Error::none) { new (&m_value) T(static_cast<T&&>(value)); }
    // Error::none is not an error; it would leave no value to return, so it is refused.
    Result(Error error) : m_error(error == Error::none ? Error::invalid_argument : error) {}

    Result(const Result& other) : m_error(other.m_error) {
        if (ok()) new (&m_value) T(other.m_value);
    }
    Result(Result&& other) : m_error(other.m_error) {
        if (ok()) new (&m_value) T(static_cast<T&&>(other.m_value));
    }
    Result& operator=(const Result& other) {
        if (this != &other) {
            destroy();
            m_error = other.m_error;
            if (ok()) new (&m_value) T(other.m_value);
        }
        return *this;
    }
    Result& operator=(Result&& other) {
        if (this != &other) {
            destroy();
            m_error = other.m_error;
            if (ok()) new (&m_value) T(static_cast<T&&>(other.m_value));
        }
        return *this;
    }
    ~Result() { destroy(); }

    bool ok() const { return m_error == Error::none; }
    explicit operator bool() const { return ok(); }
    Error error() const { return m_error; }

    // Calling value() on an error is a kernel bug; callers check ok() or use TRY.
    T& value() { return m_value; }
    const T& value() const { return m_value; }
    T value_or(T fallback) const { return ok() ? m_value : fallback; }

    // Used by TRY: moves the value out.
    T release_value() { return static_cast<T&&>(m_value); }

private:
    void destroy() {
        if (ok()) m_value.~T();
    }

    union {
        T m_value;
    };
    Error m_error;
};

// Success is `return {};`.
template <> class [[nodiscard]] Result<void> {
public:
    Result() : m_error(Error::none) {}
    Result(Error error) : m_error(error) {}

    bool ok() const { return m_error == Error::none; }
    explicit operator bool() const { return ok(); }
    Error error() const { return m_error; }
    void release_value() const {}

private:
    Error m_error;
};

} // namespace axo

// Evaluates a Result expression; on error returns the error from the enclosing function
// (which must return a Result or an Error), otherwise yields the value.
#define TRY(expr)                                                                                  \
    ({                                                                                             \
        auto&& axo_try_result_ = (expr);                                                           \
        if (!axo_try_result_.ok()) return axo_try_result_.error();                                 \
        axo_try_result_.release_value();                                                           \
    })
