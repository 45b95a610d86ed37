// The subtype relation a <: b, with Julia's meaning.
//
// How it works (after Julia's subtype.c, in a smaller form):
// - A `where` on the left is "for all": its variable is opaque and only its bounds are known.
//   A `where` on the right is "there exists": its variable collects lower bounds (the types it
//   must cover) and an upper bound while the bodies are compared; when the `where` closes, the
//   collected bounds must be consistent.
// - The diagonal rule: a right variable that occurs more than once in covariant position (the
//   elements of a Tuple, Vararg included) and never in invariant position must be concrete, so
//   Tuple{Int64, Float64} is not a Tuple{T, T} where T.
// - Parameters of a type other than Tuple are invariant: compared both ways.
// - A Union on the left needs every member to fit (for all); a Union on the right needs one
//   member (there exists). Once right-hand variables are in play these choices interact, so
//   they are made by an odometer: each query is re-run with the next combination of choices,
//   every left combination needing some right combination that succeeds.
// - A variable bound on both sides (the same TypeVar object, as when a signature is compared
//   with itself) is renamed on entry, so each binding is unambiguous.
#include <algorithm>

#include "runtime/type_registry.hpp"

namespace tsr {

namespace {

bool is_any(const Type* t) {
  auto dt = as_datatype(t);
  return dt && dt->super == dt;
}

// Counts how often v occurs in covariant position in t, and whether it occurs invariantly.
void count_occurrences(const Type* t, const TypeVar* v, bool invariant, int& cov, bool& inv) {
  switch (t->kind) {
    case TypeKind::TypeVar:
      if (t == v) {
        if (invariant) inv = true;
        else cov++;
      }
      return;
    case TypeKind::DataType: {
      auto dt = static_cast<const DataType*>(t);
      if (!dt->has_free_vars) return;
      for (const Type* p : dt->params) count_occurrences(p, v, invariant || !dt->name->is_tuple, cov, inv);
      return;
    }
    case TypeKind::Union:
      for (const Type* m : static_cast<const UnionType*>(t)->members) count_occurrences(m, v, invariant, cov, inv);
      return;
    case TypeKind::UnionAll: {
      auto ua = static_cast<const UnionAll*>(t);
      if (ua->var != v) count_occurrences(ua->body, v, invariant, cov, inv);
      return;
    }
    case TypeKind::Vararg: {
      auto va = static_cast<const VarargType*>(t);
      int once = 0;
      count_occurrences(va->elem, v, invariant, once, inv);
      auto n = as_const(va->count);
      cov += (n && n->value <= 1) ? once * static_cast<int>(n->value) : once * 2;
      if (va->count) count_occurrences(va->count, v, true, cov, inv);
      return;
    }
    default:
      return;
  }
}

// An odometer of choices made at union decision points, replayed in order on each re-run.
struct Choices {
  std::vector<uint16_t> picks, limits;
  size_t pos = 0;
  int next(size_t n) {
    if (pos < picks.size()) {
      int p = std::min<int>(picks[pos], static_cast<int>(n) - 1);
      ++pos;
      return p;
    }
    picks.push_back(0);
    limits.push_back(static_cast<uint16_t>(n));
    ++pos;
    return 0;
  }
  bool advance() {
    while (!picks.empty()) {
      if (picks.back() + 1 < limits.back()) {
        picks.back()++;
        return true;
      }
      picks.pop_back();
      limits.pop_back();
    }
    return false;
  }
  void clear() { picks.clear(), limits.clear(), pos = 0; }
};

}  // namespace

class Subtyper {
 public:
  explicit Subtyper(TypeRegistry& r) : reg_(r) {}

  bool run(const Type* a, const Type* b) {
    left_.clear();
    do {
      right_.clear();
      bool found = false;
      do {
        env_.clear();
        right_active_ = 0;
        fresh_ = 0;
        invariant_ = 0;
        left_.pos = right_.pos = 0;
        if (sub(a, b)) {
          found = true;
          break;
        }
      } while (right_.advance());
      if (!found) return false;
    } while (left_.advance());
    return true;
  }

 private:
  struct Binding {
    const TypeVar* var;
    bool right;                        // "there exists" (from the right-hand side)
    std::vector<const Type*> lbs;      // right: types the variable must cover
    const Type* ub = nullptr;          // right: current upper bound
    int cov = 0;                       // right: covariant occurrences seen
    bool inv = false;                  // right: seen in invariant position
    bool diagonal = false;             // left: the variable is itself diagonal, so concrete
  };

  Binding* find(const TypeVar* v) {
    for (size_t i = env_.size(); i-- > 0;)
      if (env_[i].var == v) return &env_[i];
    return nullptr;
  }

  // Renames ua's variable when it is already bound (the same var on both sides).
  std::pair<const TypeVar*, const Type*> open(const UnionAll* ua) {
    if (!find(ua->var)) return {ua->var, ua->body};
    size_t i = 0;
    const TypeVar* alias = reg_.alias_of(ua->var, i);
    while (find(alias)) alias = reg_.alias_of(ua->var, ++i);
    const TypeVar* vs[] = {ua->var};
    const Type* xs[] = {alias};
    return {alias, reg_.subst(ua->body, vs, xs)};
  }

  std::pair<const TypeVar*, const Type*> open_fresh(const UnionAll* ua) {
    const TypeVar* alias = reg_.alias_of(ua->var, 1000 + fresh_++);
    const TypeVar* vs[] = {ua->var};
    const Type* xs[] = {alias};
    return {alias, reg_.subst(ua->body, vs, xs)};
  }

  bool sub(const Type* a, const Type* b) {
    if (a == b || is_any(b) || a->kind == TypeKind::Bottom) return true;
    // Bounds that mention each other (a variable that escaped its `where`) can chase each
    // other forever: past this depth the answer is "not a subtype".
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    if (depth_ > kMaxDepth) return false;

    if (auto bv = as_typevar(b))
      if (Binding* bb = find(bv); bb && bb->right) return bind_lower(*bb, a);
    if (auto av = as_typevar(a))
      if (Binding* ab = find(av); ab && ab->right) return bind_upper(*ab, b);

    if (auto ua = as_unionall(a)) return enter_left(ua, b);
    if (auto u = as_union(a)) {
      // Inside an invariant parameter the union is one type (Ref{Union{A,B}} holds either):
      // every member must fit under the same choices.
      if (invariant_ > 0)
        return std::all_of(u->members.begin(), u->members.end(), [&](const Type* m) { return sub(m, b); });
      // Otherwise decided by the odometer's outer loop, so that every left choice is made
      // before the right-hand choices that depend on it (for all left, there exists right).
      return sub(u->members[left_.next(u->members.size())], b);
    }
    if (auto ub = as_unionall(b)) return enter_right(a, ub);

    if (auto av = as_typevar(a)) {  // a left (or free) variable: only its bounds are known
      if (auto u = as_union(b))
        if (std::find(u->members.begin(), u->members.end(), a) != u->members.end()) return true;
      if (auto bv = as_typevar(b)) return sub(av->ub, bv->lb);
      return sub(av->ub, b);
    }
    if (auto u = as_union(b)) {
      if (right_active_ == 0) {
        // No variables to constrain: try each member, replaying the same left choices.
        size_t saved = left_.pos;
        for (const Type* m : u->members) {
          left_.pos = saved;
          if (sub(a, m)) return true;
        }
        return false;
      }
      return sub(a, u->members[right_.next(u->members.size())]);
    }
    if (auto bv = as_typevar(b)) return sub(a, bv->lb);

    auto ad = as_datatype(a);
    auto bd = as_datatype(b);
    if (!ad || !bd) return false;  // distinct Const parameters, or a stray Vararg
    if (bd->name->is_tuple) return ad->name->is_tuple && sub_tuple(ad, bd);
    if (ad->name->is_tuple) return false;
    while (ad->name != bd->name) {
      if (ad->super == ad) return false;
      ad = ad->super;
    }
    if (ad->params.size() != bd->params.size()) return false;
    for (size_t i = 0; i < ad->params.size(); ++i)
      if (!eq(ad->params[i], bd->params[i])) return false;
    return true;
  }

  // Invariant position: both ways.
  bool eq(const Type* a, const Type* b) {
    if (a == b) return true;
    ++invariant_;
    bool ok = sub(a, b) && sub(b, a);
    --invariant_;
    return ok;
  }

  // a <: T for a right variable T: T must cover a.
  bool bind_lower(Binding& bb, const Type* a) {
    // sub() may grow env_ and move its bindings: keep what is needed, then find it again.
    const TypeVar* v = bb.var;
    const Type* ub = bb.ub;
    if (!sub(a, ub)) return false;
    Binding* again = find(v);
    again->lbs.push_back(a);
    if (invariant_) again->inv = true;
    else again->cov++;
    return true;
  }

  // T <: b for a right variable T: narrow its upper bound.
  bool bind_upper(Binding& ab, const Type* b) {
    const TypeVar* v = ab.var;
    std::vector<const Type*> lbs = ab.lbs;
    for (const Type* lb : lbs)
      if (!sub(lb, b)) return false;
    const Type* ub = find(v)->ub;
    const Type* narrowed = ub;
    if (!sub(ub, b)) narrowed = sub(b, ub) ? b : reg_.bottom();  // an approximate meet
    Binding* again = find(v);
    again->ub = narrowed;
    if (invariant_) again->inv = true;
    return true;
  }

  bool enter_left(const UnionAll* ua, const Type* b) {
    // Each entry of a left `where` is its own variable: Tuple{Vec, Vec} has two, and they must
    // not look equal when both land among a right variable's bounds.
    auto [var, body] = right_active_ > 0 ? open_fresh(ua) : open(ua);
    Binding bnd{var, false, {}, nullptr};
    int cov = 0;
    bool inv = false;
    count_occurrences(body, var, false, cov, inv);
    bnd.diagonal = cov > 1 && !inv;
    env_.push_back(std::move(bnd));
    bool ok = sub(body, b);
    env_.pop_back();
    return ok;
  }

  bool enter_right(const Type* a, const UnionAll* ua) {
    auto [var, body] = open(ua);
    env_.push_back(Binding{var, true, {}, var->ub});
    ++right_active_;
    bool ok = sub(a, body);
    if (ok) ok = check_right(env_.back());
    --right_active_;
    env_.pop_back();
    return ok;
  }

  // Closing a right `where`: are the collected bounds consistent?
  bool check_right(Binding bnd) {
    for (const Type* lb : bnd.lbs)
      if (!sub(lb, bnd.ub)) return false;
    const TypeVar* v = bnd.var;
    if (v->lb->kind != TypeKind::Bottom) {
      const Type* value = bnd.lbs.empty() ? bnd.ub : reg_.union_of(bnd.lbs);
      if (!sub(v->lb, value)) return false;
    }
    if (bnd.cov > 1 && !bnd.inv) {  // the diagonal rule
      const Type* first = nullptr;
      for (const Type* lb : bnd.lbs) {
        if (lb->kind == TypeKind::Bottom) continue;
        if (!first) first = lb;
        else if (lb != first && !reg_.equal(lb, first)) return false;
      }
      if (first && !is_leaf(first)) return false;
    }
    return true;
  }

  // Concrete, or a left variable that is itself diagonal (so concrete in every instance).
  bool is_leaf(const Type* t) {
    if (reg_.is_concrete(t)) return true;
    if (auto tv = as_typevar(t))
      if (Binding* b = find(tv); b && !b->right) return b->diagonal;
    return false;
  }

  struct TupleSide {
    std::vector<const Type*> fixed;
    const Type* rest = nullptr;        // element type of an unbounded (or var-counted) Vararg
    const Type* rest_count = nullptr;  // its count when that is a type variable
  };

  static TupleSide split(const DataType* t) {
    TupleSide s;
    for (const Type* p : t->params) {
      if (auto va = as_vararg(p)) {
        if (auto n = as_const(va->count)) {
          for (int64_t i = 0; i < std::min<int64_t>(n->value, 4096); ++i) s.fixed.push_back(va->elem);
        } else {
          s.rest = va->elem;
          s.rest_count = va->count;
        }
      } else {
        s.fixed.push_back(p);
      }
    }
    return s;
  }

  bool sub_tuple(const DataType* a, const DataType* b) {
    TupleSide A = split(a), B = split(b);
    size_t na = A.fixed.size(), nb = B.fixed.size();
    for (size_t i = 0; i < na; ++i) {
      if (i < nb) {
        if (!sub(A.fixed[i], B.fixed[i])) return false;
      } else if (B.rest) {
        if (!sub(A.fixed[i], B.rest)) return false;
      } else {
        return false;  // a is longer than b can be
      }
    }
    if (A.rest) {  // a may be longer still: b must take any number of elements
      if (na < nb || !B.rest) return false;
      // An unbounded Vararg stands for many elements: compared twice so a variable it binds
      // counts as occurring more than once (the diagonal rule sees Tuple{Vararg{T}} as T, T, ...).
      if (!sub(A.rest, B.rest) || !sub(A.rest, B.rest)) return false;
      if (B.rest_count) {
        if (na != nb) return false;
        // a's length is unknown: N stands for it, equal to nothing else that is known.
        const Type* len = A.rest_count ? A.rest_count : reg_.alias_of(as_typevar(B.rest_count), 5000 + fresh_++);
        return eq(len, B.rest_count);
      }
      return true;
    }
    if (na < nb) return false;  // b needs elements a does not have
    if (B.rest_count) return eq(reg_.const_param(static_cast<int64_t>(na - nb)), B.rest_count);
    return true;
  }

  TypeRegistry& reg_;
  std::vector<Binding> env_;
  Choices left_, right_;
  int right_active_ = 0;
  int invariant_ = 0;
  size_t fresh_ = 0;  // left variables opened so far in this query
  static constexpr int kMaxDepth = 400;
  int depth_ = 0;
};

bool TypeRegistry::issub(const Type* a, const Type* b) {
  if (a == b) return true;
  // Fast path for the common dispatch question: concrete data types without parameters.
  auto ad = as_datatype(a), bd = as_datatype(b);
  if (ad && bd && bd->params.empty() && !bd->name->is_tuple && !ad->name->is_tuple) {
    for (const DataType* t = ad;; t = t->super) {
      if (t == bd) return true;
      if (t->super == t) return false;
    }
  }
  return Subtyper(*this).run(a, b);
}

bool TypeRegistry::equal(const Type* a, const Type* b) {
  return a == b || (issub(a, b) && issub(b, a));
}

}  // namespace tsr
