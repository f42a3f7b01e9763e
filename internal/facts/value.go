package facts

// State of a Value taken from a plan.
type State int

const (
	StateNull    State = iota // absent from configuration
	StateUnknown              // known only after apply: checks skip it and run again at apply
	StateKnown
)

// Value is a plan value: null, unknown or known.
type Value[T any] struct {
	V     T
	State State
}

// Known makes a known value.
func Known[T any](v T) Value[T] { return Value[T]{V: v, State: StateKnown} }

// Unknown makes an unknown value.
func Unknown[T any]() Value[T] { return Value[T]{State: StateUnknown} }

// Null makes a null value.
func Null[T any]() Value[T] { return Value[T]{State: StateNull} }

// IsKnown reports whether the value is known (possibly the zero value).
func (v Value[T]) IsKnown() bool { return v.State == StateKnown }
