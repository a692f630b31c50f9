package io.entrawarehouse.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/** Deterministic hashing: every generated value is a pure function of (seed, kind, index). */
final class Hashing {

  private Hashing() {}

  /** SplitMix64's finaliser: a fast, well-distributed bijection on 64-bit values. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static long hash(long seed, int kind, long index) {
    return mix(seed * 0x9e3779b97f4a7c15L ^ mix(((long) kind << 40) ^ index));
  }

  /** A version-4-shaped UUID derived from (seed, kind, index). */
  static String uuid(long seed, int kind, long index) {
    long hi = hash(seed, kind, index);
    long lo = hash(seed ^ 0x5bd1e995L, kind, index);
    hi = (hi & ~0xf000L) | 0x4000L;
    lo = (lo & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /**
   * The ground-truth id checksum: the first 8 bytes of MD5(id) read as an unsigned big-endian
   * number, summed modulo 2^64 over all ids. Order-independent, and a duplicate or missing row
   * changes it.
   */
  static long idChecksumTerm(String id) {
    byte[] d = md5().digest(id.getBytes(StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (d[i] & 0xff);
    }
    return v;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by every Java runtime", e);
    }
  }
}
