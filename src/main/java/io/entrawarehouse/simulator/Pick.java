package io.entrawarehouse.simulator;

import java.util.List;
import java.util.SplittableRandom;

/** A seeded random source with the few helpers the tenant generator needs. Not thread-safe. */
final class Pick {
  private final SplittableRandom random;

  Pick(long seed) {
    this.random = new SplittableRandom(seed);
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  int below(int bound) {
    return bound <= 0 ? 0 : random.nextInt(bound);
  }

  long below(long bound) {
    return bound <= 0 ? 0 : random.nextLong(bound);
  }

  double unit() {
    return random.nextDouble();
  }

  <T> T one(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  @SafeVarargs
  final <T> T one(T... values) {
    return values[random.nextInt(values.length)];
  }

  String digits(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append((char) ('0' + random.nextInt(10)));
    }
    return b.toString();
  }

  String hex(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append(Character.forDigit(random.nextInt(16), 16));
    }
    return b.toString();
  }
}
