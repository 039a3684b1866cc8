package io.openmeet.systemtests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The fuzzer's generators: JSON texts built by hand (so that they can hold what a JSON library
 * would never write: huge numbers, lone surrogate escapes, duplicate keys, deep nesting), bodies
 * and frames mutated from valid templates, and SDP answers mutated line by line. Deterministic for
 * a seed.
 */
final class FuzzInputs {

  /** One generated input: its bytes, and whether any server must refuse it. */
  record Input(byte[] bytes, boolean mustFail, String kind) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private final SplittableRandom r;

  FuzzInputs(SplittableRandom random) {
    this.r = random;
  }

  boolean chance(double p) {
    return r.nextDouble() < p;
  }

  int nextInt(int bound) {
    return r.nextInt(bound);
  }

  <T> T pick(List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  // --- scalars

  private static final List<String> NUMBERS =
      List.of(
          "0",
          "-0",
          "1",
          "-1",
          "2",
          "3",
          "4",
          "12",
          "100",
          "101",
          "1.5",
          "12.5",
          "1e2",
          "1E+2",
          "0.0",
          "-0.0",
          "2147483647",
          "2147483648",
          "-2147483648",
          "-2147483649",
          "4294967295",
          "4294967296",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "1e308",
          "1e309",
          "-1e309",
          "4.9e-324",
          "1e-400",
          "123456789012345678901234567890123456789",
          "0.1e1",
          "1" + "0".repeat(400));

  /** Not JSON numbers, though they look like them (a parser must refuse them). */
  private static final List<String> NOT_NUMBERS =
      List.of("NaN", "Infinity", "-Infinity", "01", "+1", ".5", "1.", "0x10", "1e", "--1");

  private static final List<String> STRINGS =
      List.of(
          "",
          " ",
          "  \t ",
          "null",
          "true",
          "12",
          "-1",
          "Ada",
          "Ada Lovelace",
          "public",
          "password",
          "invite_only",
          "PUBLIC",
          "mute",
          "kick",
          "connected",
          "failed",
          "eu-west",
          "EU",
          "a-b-c",
          "../../etc/passwd",
          "%00",
          "%",
          "'; DROP TABLE rooms; --",
          "<script>alert(1)</script>",
          "${jndi:ldap://x}",
          "\\\\",
          "\\\"",
          "\\/",
          "a\\nb",
          "\\u0000",
          "\\u0007",
          "\\u001b[31m",
          "\\u007f",
          "\\u0085",
          "\\u009f",
          "\\u200b",
          "\\u200d",
          "\\u202e",
          "\\u2066",
          "\\ufeff",
          "\\ufffe",
          "\\uffff",
          "\\ud800",
          "\\udfff",
          "\\udbff\\udfff",
          "\\ud83d\\ude00",
          "x\\ud800y",
          "e\\u0301",
          "\\u00e9",
          "Å",
          "日本語",
          "🙂",
          "👩‍👩‍👧",
          "مرحبا",
          "a\u0301",
          "\\u0000\\u0000",
          "\\n\\r\\t",
          "*",
          "guest-1",
          "ffffffff-ffff-ffff-ffff-ffffffffffff",
          "00000000-0000-0000-0000-000000000000");

  String number() {
    return chance(0.1) ? pick(NOT_NUMBERS) : pick(NUMBERS);
  }

  /** A JSON string literal, quotes included (the content may hold escapes). */
  String string() {
    int k = r.nextInt(10);
    String body;
    if (k < 5) {
      body = pick(STRINGS);
    } else if (k < 7) {
      body = randomText(r.nextInt(1, 40));
    } else if (k < 8) {
      // around the limits: 4, 64, 72 (bcrypt), 128, 200, 1024, 8192
      int n = pick(List.of(3, 4, 63, 64, 65, 72, 73, 127, 128, 129, 199, 200, 201, 1025, 8193));
      body = "x".repeat(n);
    } else if (k < 9) {
      body = pick(STRINGS) + randomText(r.nextInt(1, 8)) + pick(STRINGS);
    } else {
      body = "é".repeat(r.nextInt(1, 300)) + pick(STRINGS);
    }
    return "\"" + body + "\"";
  }

  /** Random characters from all planes, escaped as JSON needs. */
  String randomText(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(8);
      int cp =
          switch (k) {
            case 0 -> r.nextInt(0x20); // C0 controls
            case 1 -> r.nextInt(0x7F, 0xA0); // DEL and C1
            case 2 -> r.nextInt(0x2000, 0x2070); // spaces, zero-width, bidi
            case 3 -> r.nextInt(0xD800, 0xE000); // surrogates, alone
            case 4 -> r.nextInt(0xFDD0, 0xFDF0); // noncharacters
            case 5 -> r.nextInt(0x10000, 0x110000);
            default -> r.nextInt(0x20, 0x7F);
          };
      if (cp < 0x20 || cp == '"' || cp == '\\' || (cp >= 0xD800 && cp < 0xE000)) {
        s.append(String.format("\\u%04x", cp));
      } else {
        s.appendCodePoint(cp);
      }
    }
    return s.toString();
  }

  /** Any JSON value (sometimes not quite JSON), nested up to {@code depth}. */
  String value(int depth) {
    int k = r.nextInt(depth > 0 ? 12 : 9);
    return switch (k) {
      case 0, 1, 2 -> string();
      case 3, 4 -> number();
      case 5 -> chance(0.5) ? "true" : "false";
      case 6 -> "null";
      case 7 -> deep();
      case 8 -> pick(List.of("tru", "nul", "'single'", "undefined", "{", "[", "\"open", "}"));
      case 9, 10 -> array(depth - 1);
      default -> object(depth - 1);
    };
  }

  String array(int depth) {
    int n = r.nextInt(4);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(value(depth));
    }
    return "[" + String.join(",", items) + "]";
  }

  String object(int depth) {
    int n = r.nextInt(4);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(string() + ":" + value(depth));
    }
    return "{" + String.join(",", items) + "}";
  }

  /** Nesting beyond what parsers allow by default (Jackson: 1000 levels). */
  String deep() {
    int n = pick(List.of(10, 999, 1000, 1001, 5000, 20000));
    return chance(0.5) ? "[".repeat(n) + "]".repeat(n) : "{\"a\":".repeat(n) + "1" + "}".repeat(n);
  }

  // --- objects from templates

  /**
   * A JSON object from {@code template} (field -> JSON value), its fields mutated: values replaced
   * by any value, fields dropped, unknown or duplicated fields added. {@code mutations} of zero
   * gives the template itself.
   */
  String mutateObject(Map<String, String> template, int mutations) {
    Map<String, String> fields = new LinkedHashMap<>(template);
    List<String> extra = new ArrayList<>();
    List<String> names = new ArrayList<>(fields.keySet());
    for (int i = 0; i < mutations; i++) {
      int k = r.nextInt(10);
      if (k < 6 && !names.isEmpty()) {
        fields.put(pick(names), value(2));
      } else if (k < 8 && !names.isEmpty()) {
        fields.remove(pick(names));
      } else if (k < 9) {
        extra.add(string() + ":" + value(1));
      } else if (!names.isEmpty()) {
        String name = pick(names);
        extra.add("\"" + name + "\":" + value(1)); // a duplicate key
      }
    }
    List<String> items = new ArrayList<>();
    fields.forEach((k, v) -> items.add("\"" + k + "\":" + v));
    items.addAll(extra);
    return "{" + String.join(",", items) + "}";
  }

  /**
   * Breaks a JSON text as a whole (sometimes): truncated, wrapped, replaced by bytes that are no
   * UTF-8, or by a bare value. Returns null when it left the text alone.
   */
  byte[] breakWhole(String json) {
    int k = r.nextInt(14);
    return switch (k) {
      case 0 -> json.substring(0, r.nextInt(json.length())).getBytes(StandardCharsets.UTF_8);
      case 1 -> ("[" + json + "]").getBytes(StandardCharsets.UTF_8);
      case 2 -> invalidUtf8(json);
      case 3 -> value(2).getBytes(StandardCharsets.UTF_8);
      case 4 -> new byte[0];
      case 5 -> (json + json).getBytes(StandardCharsets.UTF_8);
      case 6 -> randomBytes(r.nextInt(1, 200));
      default -> null;
    };
  }

  /** {@code text} with bytes spliced in that are not UTF-8 (lone continuation, overlong, 0xFF). */
  byte[] invalidUtf8(String text) {
    byte[] good = text.getBytes(StandardCharsets.UTF_8);
    byte[][] bad = {
      {(byte) 0xFF},
      {(byte) 0xC0, (byte) 0x80},
      {(byte) 0x80},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xE2, (byte) 0x82}
    };
    byte[] b = bad[r.nextInt(bad.length)];
    int at = good.length == 0 ? 0 : r.nextInt(good.length);
    byte[] out = new byte[good.length + b.length];
    System.arraycopy(good, 0, out, 0, at);
    System.arraycopy(b, 0, out, at, b.length);
    System.arraycopy(good, at, out, at + b.length, good.length - at);
    return out;
  }

  byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  // --- SDP

  private static final List<String> SDP_TOKENS =
      List.of(
          "",
          "0",
          "-1",
          "65535",
          "65536",
          "4294967295",
          "4294967296",
          "99999999999999999999",
          "UDP",
          "TCP",
          "typ",
          "host",
          "srflx",
          "relay",
          "prflx",
          "raddr",
          "rport",
          "tcptype",
          "active",
          "passive",
          "so",
          "1.2.3.4",
          "0.0.0.0",
          "::1",
          "fe80::1%eth0",
          "1::\uFFFF",
          "10.0.0.\u0007",
          "a:b:c:d:e:f:g:h:i",
          "x.local",
          "sha-256",
          "sha-1",
          "md5",
          "AA:BB",
          "actpass",
          "active",
          "passive",
          "holdconn",
          "sendrecv",
          "inactive",
          "opus/48000/2",
          "VP8/90000",
          "H264/90000",
          "\u0000",
          "\u001b",
          "\u202e",
          "é",
          "🙂",
          "%",
          ":",
          "/",
          " ",
          "  ",
          "=",
          "a=",
          "m=",
          "\r",
          "x".repeat(2000));

  /** A real answer (from a browser or the synthetic endpoint) mutated in 1..4 places. */
  String mutateSdp(String sdp, List<String> corpus) {
    List<String> lines = new ArrayList<>(List.of(sdp.split("\r\n", -1)));
    int n = 1 + r.nextInt(4);
    for (int i = 0; i < n && !lines.isEmpty(); i++) {
      int at = r.nextInt(lines.size());
      int k = r.nextInt(12);
      switch (k) {
        case 0 -> lines.remove(at);
        case 1 -> lines.add(at, lines.get(r.nextInt(lines.size())));
        case 2 -> {
          String donor = pick(corpus);
          List<String> other = List.of(donor.split("\r?\n"));
          lines.add(at, other.get(r.nextInt(other.size())));
        }
        case 3 -> lines.set(at, truncate(lines.get(at)));
        case 4 -> {
          int b = r.nextInt(lines.size());
          String t = lines.get(at);
          lines.set(at, lines.get(b));
          lines.set(b, t);
        }
        default -> lines.set(at, replaceToken(lines.get(at)));
      }
    }
    String out = String.join(chance(0.9) ? "\r\n" : "\n", lines);
    if (chance(0.03)) {
      out = out.substring(0, r.nextInt(out.length() + 1));
    }
    return out;
  }

  private String truncate(String line) {
    return line.isEmpty() ? line : line.substring(0, r.nextInt(line.length()));
  }

  /** One space-, colon- or slash-separated token of the line replaced by a hostile one. */
  private String replaceToken(String line) {
    String[] parts = line.split("(?<=[ :/=])", -1);
    int at = r.nextInt(parts.length);
    String sep = parts[at].isEmpty() ? "" : parts[at].substring(parts[at].length() - 1);
    boolean keepSep = " :/=".contains(sep) && !sep.isEmpty();
    String token = chance(0.2) ? randomSdpText(r.nextInt(1, 12)) : pick(SDP_TOKENS);
    parts[at] = token + (keepSep ? sep : "");
    return String.join("", parts);
  }

  private String randomSdpText(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(4);
      s.appendCodePoint(
          switch (k) {
            case 0 -> r.nextInt(0x20);
            case 1 -> r.nextInt(0x7F, 0xA0);
            case 2 -> r.nextInt(0x80, 0x3000);
            default -> r.nextInt(0x21, 0x7F);
          });
    }
    return s.toString();
  }
}
