package io.entrawarehouse.simulator;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A parsed OData {@code $filter} expression, as far as Microsoft Graph supports it on directory
 * objects and logs: {@code eq ne gt ge lt le in}, {@code and or not}, {@code startswith}, {@code
 * endswith}, lambda {@code any}/{@code all} over collections and nested paths such as {@code
 * status/errorCode}.
 *
 * <p>Strings compare case-insensitively, as directory queries do. An unquoted timestamp is a
 * DateTimeOffset literal; an unquoted GUID is a string. Instances are immutable and thread-safe.
 */
final class ODataFilter {

  /** A filter that Graph would refuse to parse. */
  static final class SyntaxException extends RuntimeException {
    SyntaxException(String message) {
      super(message);
    }
  }

  sealed interface Node permits Or, And, Not, Compare, In, Call, Lambda, Path, Literal {}

  record Or(Node left, Node right) implements Node {}

  record And(Node left, Node right) implements Node {}

  record Not(Node operand) implements Node {}

  record Compare(String op, Node left, Node right) implements Node {}

  record In(Node left, List<Literal> values) implements Node {}

  record Call(String function, List<Node> args) implements Node {}

  record Lambda(Path collection, String quantifier, String variable, Node body) implements Node {}

  /** A property path; {@code variable} is the lambda variable it starts from, or null. */
  record Path(String variable, List<String> segments) implements Node {
    String name() {
      return String.join("/", segments);
    }
  }

  /** A literal: String, Long, Double, Boolean, Instant, or null. */
  record Literal(Object value) implements Node {}

  private final String text;
  private final Node root;

  private ODataFilter(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  static ODataFilter parse(String text) {
    ODataParser parser = new ODataParser(text);
    Node root = parser.expression();
    parser.expectEnd();
    return new ODataFilter(text, root);
  }

  String text() {
    return text;
  }

  Node root() {
    return root;
  }

  boolean test(Map<String, Object> item) {
    return truthy(eval(root, item, null));
  }

  // ---------------------------------------------------------------- analysis

  /** The operators and functions used, lower-cased: "ne", "not", "endswith", "any", … */
  Set<String> operators() {
    Set<String> ops = new LinkedHashSet<>();
    visit(root, null, ops, new LinkedHashSet<>());
    return ops;
  }

  /**
   * The property paths the filter reads, with lambda variables resolved ("assignedLicenses/skuId").
   */
  Set<String> properties() {
    Set<String> props = new LinkedHashSet<>();
    visit(root, null, new LinkedHashSet<>(), props);
    return props;
  }

  private static void visit(Node node, Lambda scope, Set<String> ops, Set<String> props) {
    if (node instanceof Or o) {
      ops.add("or");
      visit(o.left(), scope, ops, props);
      visit(o.right(), scope, ops, props);
    } else if (node instanceof And a) {
      ops.add("and");
      visit(a.left(), scope, ops, props);
      visit(a.right(), scope, ops, props);
    } else if (node instanceof Not n) {
      ops.add("not");
      visit(n.operand(), scope, ops, props);
    } else if (node instanceof Compare c) {
      ops.add(c.op());
      visit(c.left(), scope, ops, props);
      visit(c.right(), scope, ops, props);
    } else if (node instanceof In i) {
      ops.add("in");
      visit(i.left(), scope, ops, props);
    } else if (node instanceof Call c) {
      ops.add(c.function());
      for (Node arg : c.args()) {
        visit(arg, scope, ops, props);
      }
    } else if (node instanceof Lambda l) {
      ops.add(l.quantifier());
      props.add(resolve(l.collection(), scope));
      visit(l.body(), l, ops, props);
    } else if (node instanceof Path p) {
      props.add(resolve(p, scope));
    }
  }

  private static String resolve(Path path, Lambda scope) {
    if (path.variable() == null || scope == null) {
      return path.name();
    }
    String base = resolve(scope.collection(), null);
    return path.segments().isEmpty() ? base : base + "/" + path.name();
  }

  /** The property paths compared with {@code null} by {@code eq} (lambda variables resolved). */
  Set<String> comparedWithNull() {
    Set<String> props = new LinkedHashSet<>();
    collectNullComparisons(root, null, props);
    return props;
  }

  private static void collectNullComparisons(Node node, Lambda scope, Set<String> props) {
    if (node instanceof Or o) {
      collectNullComparisons(o.left(), scope, props);
      collectNullComparisons(o.right(), scope, props);
    } else if (node instanceof And a) {
      collectNullComparisons(a.left(), scope, props);
      collectNullComparisons(a.right(), scope, props);
    } else if (node instanceof Not n) {
      collectNullComparisons(n.operand(), scope, props);
    } else if (node instanceof Lambda l) {
      collectNullComparisons(l.body(), l, props);
    } else if (node instanceof Compare c
        && c.op().equals("eq")
        && c.left() instanceof Path p
        && c.right() instanceof Literal lit
        && lit.value() == null) {
      props.add(resolve(p, scope));
    }
  }

  /**
   * The tightest [from, to] bounds the filter puts on a timestamp property through top-level {@code
   * and}-ed comparisons, or null where it puts none. Used to jump to a time window in a log ordered
   * by time; the full filter is still applied to every item.
   */
  Instant[] timeBounds(String property) {
    Instant[] bounds = new Instant[2];
    collectBounds(root, property, bounds);
    return bounds;
  }

  private static void collectBounds(Node node, String property, Instant[] bounds) {
    if (node instanceof And a) {
      collectBounds(a.left(), property, bounds);
      collectBounds(a.right(), property, bounds);
    } else if (node instanceof Compare c
        && c.left() instanceof Path p
        && p.variable() == null
        && p.name().equals(property)
        && c.right() instanceof Literal l
        && l.value() instanceof Instant t) {
      switch (c.op()) {
        case "ge", "gt" -> bounds[0] = later(bounds[0], t);
        case "le", "lt" -> bounds[1] = earlier(bounds[1], t);
        case "eq" -> {
          bounds[0] = later(bounds[0], t);
          bounds[1] = earlier(bounds[1], t);
        }
        default -> {}
      }
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  /** Every literal value compared with {@code property}: Instants, Strings, numbers, nulls. */
  List<Object> literalsComparedWith(String property) {
    List<Object> out = new ArrayList<>();
    collectLiterals(root, property, out);
    return out;
  }

  private static void collectLiterals(Node node, String property, List<Object> out) {
    if (node instanceof Or o) {
      collectLiterals(o.left(), property, out);
      collectLiterals(o.right(), property, out);
    } else if (node instanceof And a) {
      collectLiterals(a.left(), property, out);
      collectLiterals(a.right(), property, out);
    } else if (node instanceof Not n) {
      collectLiterals(n.operand(), property, out);
    } else if (node instanceof Compare c
        && c.left() instanceof Path p
        && p.name().equals(property)
        && c.right() instanceof Literal l) {
      out.add(l.value());
    }
  }

  // ---------------------------------------------------------------- evaluation

  private record Scope(String variable, Object value) {}

  private static Object eval(Node node, Map<String, Object> item, Scope scope) {
    if (node instanceof Or o) {
      return truthy(eval(o.left(), item, scope)) || truthy(eval(o.right(), item, scope));
    } else if (node instanceof And a) {
      return truthy(eval(a.left(), item, scope)) && truthy(eval(a.right(), item, scope));
    } else if (node instanceof Not n) {
      return !truthy(eval(n.operand(), item, scope));
    } else if (node instanceof Compare c) {
      return compare(c.op(), eval(c.left(), item, scope), eval(c.right(), item, scope));
    } else if (node instanceof In i) {
      Object v = eval(i.left(), item, scope);
      for (Literal l : i.values()) {
        if (compare("eq", v, l.value())) {
          return true;
        }
      }
      return false;
    } else if (node instanceof Call c) {
      Object subject = eval(c.args().get(0), item, scope);
      Object argument = eval(c.args().get(1), item, scope);
      if (!(subject instanceof String s) || !(argument instanceof String a)) {
        return false;
      }
      String ls = s.toLowerCase(Locale.ROOT);
      String la = a.toLowerCase(Locale.ROOT);
      return c.function().equals("startswith") ? ls.startsWith(la) : ls.endsWith(la);
    } else if (node instanceof Lambda l) {
      return lambda(l, item, scope);
    } else if (node instanceof Path p) {
      Object current;
      if (p.variable() != null) {
        current = scope != null && scope.variable().equals(p.variable()) ? scope.value() : null;
      } else {
        current = item;
      }
      for (String segment : p.segments()) {
        current = current instanceof Map<?, ?> m ? m.get(segment) : null;
      }
      return current;
    }
    return ((Literal) node).value();
  }

  private static boolean lambda(Lambda l, Map<String, Object> item, Scope scope) {
    Object collection = eval(l.collection(), item, scope);
    if (!(collection instanceof Collection<?> values)) {
      return false;
    }
    boolean any = l.quantifier().equals("any");
    for (Object value : values) {
      boolean hit = truthy(eval(l.body(), item, new Scope(l.variable(), value)));
      if (any && hit) {
        return true;
      }
      if (!any && !hit) {
        return false;
      }
    }
    return !any;
  }

  private static boolean truthy(Object v) {
    return Boolean.TRUE.equals(v);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean compare(String op, Object left, Object right) {
    if (left instanceof String s && right instanceof Instant) {
      left = parseInstant(s);
    }
    if (right instanceof String s && left instanceof Instant) {
      right = parseInstant(s);
    }
    if (left == null || right == null) {
      return switch (op) {
        case "eq" -> left == right;
        case "ne" -> left != right;
        default -> false;
      };
    }
    int cmp;
    if (left instanceof String a && right instanceof String b) {
      cmp = a.compareToIgnoreCase(b);
    } else if (left instanceof Number a && right instanceof Number b) {
      cmp = Double.compare(a.doubleValue(), b.doubleValue());
    } else if (left instanceof Comparable a && left.getClass() == right.getClass()) {
      cmp = a.compareTo(right);
    } else {
      return op.equals("ne");
    }
    return switch (op) {
      case "eq" -> cmp == 0;
      case "ne" -> cmp != 0;
      case "gt" -> cmp > 0;
      case "ge" -> cmp >= 0;
      case "lt" -> cmp < 0;
      case "le" -> cmp <= 0;
      default -> false;
    };
  }

  private static Instant parseInstant(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
