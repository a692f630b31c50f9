package io.entrawarehouse.simulator;

import io.entrawarehouse.simulator.ODataFilter.And;
import io.entrawarehouse.simulator.ODataFilter.Call;
import io.entrawarehouse.simulator.ODataFilter.Compare;
import io.entrawarehouse.simulator.ODataFilter.In;
import io.entrawarehouse.simulator.ODataFilter.Lambda;
import io.entrawarehouse.simulator.ODataFilter.Literal;
import io.entrawarehouse.simulator.ODataFilter.Node;
import io.entrawarehouse.simulator.ODataFilter.Not;
import io.entrawarehouse.simulator.ODataFilter.Or;
import io.entrawarehouse.simulator.ODataFilter.Path;
import io.entrawarehouse.simulator.ODataFilter.SyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses a {@code $filter} into {@link ODataFilter}'s tree by recursive descent, with Graph's
 * precedence ({@code not}, then comparisons, {@code and}, {@code or}) and literals (quoted strings
 * with doubled quotes, numbers, booleans, null, DateTimeOffsets, GUIDs). Not thread-safe: one per
 * expression.
 */
final class ODataParser {

  private static final Pattern GUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern DATE_TIME =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,7})?)?(Z|[+-]\\d{2}:\\d{2})");

  private final String text;
  private int pos;
  private final List<String> variables = new ArrayList<>();

  ODataParser(String text) {
    this.text = text;
  }

  Node expression() {
    Node left = conjunction();
    while (keyword("or")) {
      left = new Or(left, conjunction());
    }
    return left;
  }

  private Node conjunction() {
    Node left = unary();
    while (keyword("and")) {
      left = new And(left, unary());
    }
    return left;
  }

  private Node unary() {
    if (keyword("not")) {
      return new Not(unary());
    }
    return comparison();
  }

  private Node comparison() {
    Node left = operand();
    skipSpace();
    for (String op : List.of("eq", "ne", "gt", "ge", "lt", "le")) {
      if (keyword(op)) {
        Node right = operand();
        return new Compare(op, left, right);
      }
    }
    if (keyword("in")) {
      expect('(');
      List<Literal> values = new ArrayList<>();
      do {
        Node v = operand();
        if (!(v instanceof Literal l)) {
          throw error("'in' takes a list of literals");
        }
        values.add(l);
      } while (accept(','));
      expect(')');
      return new In(left, values);
    }
    if (left instanceof Path p && !(p.variable() != null && p.segments().isEmpty())) {
      throw error("expected an operator after '" + p.name() + "'");
    }
    return left;
  }

  private Node operand() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("unexpected end of expression");
    }
    char c = text.charAt(pos);
    if (c == '(') {
      pos++;
      Node inner = expression();
      expect(')');
      return inner;
    }
    if (c == '\'') {
      return new Literal(string());
    }
    String word = word();
    if (word.isEmpty()) {
      throw error("unexpected '" + c + "'");
    }
    if (GUID.matcher(word).matches()) {
      return new Literal(word);
    }
    if (DATE_TIME.matcher(word).matches()) {
      try {
        return new Literal(OffsetDateTime.parse(word).toInstant());
      } catch (DateTimeParseException e) {
        throw error("invalid DateTimeOffset '" + word + "'");
      }
    }
    if (Character.isDigit(word.charAt(0)) || word.charAt(0) == '-') {
      try {
        return new Literal(
            word.contains(".") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word));
      } catch (NumberFormatException e) {
        throw error("invalid number '" + word + "'");
      }
    }
    switch (word) {
      case "true":
        return new Literal(Boolean.TRUE);
      case "false":
        return new Literal(Boolean.FALSE);
      case "null":
        return new Literal(null);
      default:
        break;
    }
    skipSpace();
    String lower = word.toLowerCase(Locale.ROOT);
    if (pos < text.length() && text.charAt(pos) == '(' && !word.contains("/")) {
      if (!lower.equals("startswith") && !lower.equals("endswith")) {
        throw error("unsupported function '" + word + "'");
      }
      pos++;
      Node subject = operand();
      expect(',');
      Node argument = operand();
      expect(')');
      return new Call(lower, List.of(subject, argument));
    }
    return path(word);
  }

  /** A path such as a/b/c, possibly ending in /any(x: …) or /all(x: …). */
  private Node path(String word) {
    String[] parts = word.split("/", -1);
    String last = parts[parts.length - 1].toLowerCase(Locale.ROOT);
    if ((last.equals("any") || last.equals("all")) && parts.length > 1) {
      Path collection = toPath(List.of(parts).subList(0, parts.length - 1));
      expect('(');
      String variable = word();
      if (variable.isEmpty() || variable.contains("/")) {
        throw error("expected a lambda variable");
      }
      expect(':');
      variables.add(variable);
      Node body = expression();
      variables.remove(variables.size() - 1);
      expect(')');
      return new Lambda(collection, last, variable, body);
    }
    return toPath(List.of(parts));
  }

  private Path toPath(List<String> parts) {
    for (String part : parts) {
      if (part.isEmpty()) {
        throw error("empty path segment");
      }
    }
    if (variables.contains(parts.get(0))) {
      return new Path(parts.get(0), List.copyOf(parts.subList(1, parts.size())));
    }
    return new Path(null, List.copyOf(parts));
  }

  private String word() {
    skipSpace();
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (Character.isLetterOrDigit(c)
          || c == '_'
          || c == '/'
          || c == '.'
          || c == '-'
          || c == '@'
          || c == '+'
          || (c == ':' && start < pos && looksLikeTime(start))) {
        pos++;
      } else {
        break;
      }
    }
    return text.substring(start, pos);
  }

  private boolean looksLikeTime(int start) {
    // Allows ':' inside 2024-01-01T10:00:00Z but not in the lambda "x:".
    return pos - start >= 10 && text.charAt(start + 4) == '-' && text.indexOf('T', start) > 0;
  }

  private String string() {
    pos++; // opening quote
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string literal");
      }
      char c = text.charAt(pos++);
      if (c == '\'') {
        if (pos < text.length() && text.charAt(pos) == '\'') {
          b.append('\'');
          pos++;
        } else {
          return b.toString();
        }
      } else {
        b.append(c);
      }
    }
  }

  private boolean keyword(String keyword) {
    skipSpace();
    int end = pos + keyword.length();
    if (end <= text.length()
        && text.regionMatches(true, pos, keyword, 0, keyword.length())
        && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))
        && (end == text.length() || text.charAt(end) == ' ' || text.charAt(end) == '(')) {
      pos = end;
      return true;
    }
    return false;
  }

  private boolean accept(char c) {
    skipSpace();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!accept(c)) {
      throw error("expected '" + c + "'");
    }
  }

  void expectEnd() {
    skipSpace();
    if (pos != text.length()) {
      throw error("unexpected '" + text.substring(pos) + "'");
    }
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private SyntaxException error(String what) {
    return new SyntaxException(
        "Syntax error: " + what + " at position " + pos + " in '" + text + "'.");
  }
}
