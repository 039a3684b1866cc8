package io.openmeet.roomapi.signalling;

import io.netty.buffer.ByteBuf;

/**
 * Checks UTF-8 (RFC 3629) a piece at a time, across the frames of one WebSocket message: no
 * overlong forms, no encoded surrogates, nothing above U+10FFFF, no sequence cut short at the end.
 */
final class Utf8Validator {

  private int pending; // continuation bytes still expected
  private int low = 0x80; // range of the next continuation byte
  private int high = 0xBF;

  /**
   * Reads the readable bytes of {@code bytes} (without consuming them); false at the first error.
   */
  boolean accept(ByteBuf bytes) {
    int end = bytes.writerIndex();
    for (int i = bytes.readerIndex(); i < end; i++) {
      if (!accept(bytes.getByte(i) & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  boolean accept(int b) {
    if (pending > 0) {
      if (b < low || b > high) {
        return false;
      }
      low = 0x80;
      high = 0xBF;
      pending--;
      return true;
    }
    if (b < 0x80) {
      return true;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      return expect(1, 0x80, 0xBF);
    }
    if (b == 0xE0) {
      return expect(2, 0xA0, 0xBF); // no overlong three-byte forms
    }
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      return expect(2, 0x80, 0xBF);
    }
    if (b == 0xED) {
      return expect(2, 0x80, 0x9F); // U+D800..U+DFFF are not characters
    }
    if (b == 0xF0) {
      return expect(3, 0x90, 0xBF); // no overlong four-byte forms
    }
    if (b >= 0xF1 && b <= 0xF3) {
      return expect(3, 0x80, 0xBF);
    }
    if (b == 0xF4) {
      return expect(3, 0x80, 0x8F); // nothing above U+10FFFF
    }
    return false; // C0, C1 (overlong two-byte), F5..FF, or a stray continuation byte
  }

  /** Whether the text read so far ends on a whole character. */
  boolean complete() {
    return pending == 0;
  }

  /** Starts over, for the next message. */
  void reset() {
    pending = 0;
    low = 0x80;
    high = 0xBF;
  }

  private boolean expect(int continuation, int lowNext, int highNext) {
    pending = continuation;
    low = lowNext;
    high = highNext;
    return true;
  }
}
