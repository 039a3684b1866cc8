package io.openmeet.transport;

import org.jitsi.utils.ByteArrayBuffer;

/** A growable byte region for jitsi-srtp, which transforms packets in place. */
public final class PacketBuffer implements ByteArrayBuffer {

  /** Room for the SRTP auth tag (GCM: 16) plus the SRTCP index (4) without reallocating. */
  public static final int SPARE = 32;

  private byte[] buffer;
  private int offset;
  private int length;

  public PacketBuffer(byte[] buffer, int offset, int length) {
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
  }

  /** A copy of {@code data[off, off+len)} with spare room at the end for the auth tag. */
  public static PacketBuffer copyOf(byte[] data, int off, int len) {
    byte[] copy = new byte[len + SPARE];
    System.arraycopy(data, off, copy, 0, len);
    return new PacketBuffer(copy, 0, len);
  }

  /** The current contents as an exact-size array. */
  public byte[] toArray() {
    byte[] out = new byte[length];
    System.arraycopy(buffer, offset, out, 0, length);
    return out;
  }

  @Override
  public byte[] getBuffer() {
    return buffer;
  }

  @Override
  public int getOffset() {
    return offset;
  }

  @Override
  public int getLength() {
    return length;
  }

  @Override
  public void setLength(int length) {
    this.length = length;
  }

  @Override
  public void setOffset(int offset) {
    this.offset = offset;
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int off, int len, byte[] out) {
    System.arraycopy(buffer, offset + off, out, 0, len);
  }

  @Override
  public void grow(int howMuch) {
    if (howMuch <= 0) {
      return;
    }
    if (buffer.length - offset - length < howMuch) {
      byte[] bigger = new byte[length + howMuch];
      System.arraycopy(buffer, offset, bigger, 0, length);
      buffer = bigger;
      offset = 0;
    }
  }

  @Override
  public void append(byte[] data, int len) {
    grow(len);
    System.arraycopy(data, 0, buffer, offset + length, len);
    length += len;
  }

  @Override
  public void shrink(int len) {
    length = Math.max(0, length - len);
  }
}
