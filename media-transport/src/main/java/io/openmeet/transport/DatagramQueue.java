package io.openmeet.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * The datagram path BouncyCastle's DTLS runs on: fed with the DTLS records a demultiplexer (RFC
 * 7983) picked out of what arrives, sending through a callback (an ICE pair, a socket, a pipe).
 */
public final class DatagramQueue implements DatagramTransport {

  /** Sends the bytes of a DTLS record towards the peer. */
  public interface Sender {
    void send(byte[] data, int off, int len) throws IOException;
  }

  private static final byte[] CLOSED = new byte[0];
  private final BlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>(256);
  private final Sender sender;
  private volatile boolean closed;

  public DatagramQueue(Sender sender) {
    this.sender = sender;
  }

  /** Queues a received DTLS record; drops it when the queue is full (a flood). */
  public void offer(byte[] data, int off, int len) {
    if (!closed) {
      byte[] copy = new byte[len];
      System.arraycopy(data, off, copy, 0, len);
      inbound.offer(copy);
    }
  }

  @Override
  public int getReceiveLimit() {
    return 1500;
  }

  @Override
  public int getSendLimit() {
    return 1200;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    if (closed) {
      throw new IOException("DTLS transport closed");
    }
    byte[] data;
    try {
      data = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    if (data == null) {
      return -1;
    }
    if (data == CLOSED) {
      throw new IOException("DTLS transport closed");
    }
    int n = Math.min(len, data.length);
    System.arraycopy(data, 0, buf, off, n);
    return n;
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("DTLS transport closed");
    }
    sender.send(buf, off, len);
  }

  /** Fails a receive that waits now or later, so a handshake in progress ends at once. */
  @Override
  public void close() {
    closed = true;
    inbound.clear();
    inbound.offer(CLOSED);
  }
}
