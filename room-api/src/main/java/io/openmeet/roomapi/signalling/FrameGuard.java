package io.openmeet.roomapi.signalling;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jboss.logging.Logger;

/**
 * Sits in one signalling socket's Netty pipeline, between the WebSocket frame decoder and Vert.x,
 * and sees each message's frames before Vert.x joins them (and before it decodes text, turning bad
 * UTF-8 into U+FFFD). A message above the size limit gets a {@code frame-too-large} error frame and
 * close 1009; text that is not UTF-8 gets close 1007 (RFC 6455 section 8.1); a frame the decoder
 * refuses gets 1009 (too big) or 1002. Either way nothing of the message reaches the session, and
 * the connection ends right after the close frame.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {

  /** The pipeline name of this handler. */
  static final String NAME = "openmeet-signalling-frame-guard";

  private static final Logger LOG = Logger.getLogger(FrameGuard.class);

  private final long maxMessageBytes;
  private final String tooLargeFrame;
  private final java.util.function.Consumer<String> closedBy;
  private final Utf8Validator utf8 = new Utf8Validator();
  private long messageBytes;
  private boolean inText;
  private boolean inBinary;
  private boolean closing;

  /**
   * @param tooLargeFrame the {@code error} frame sent before close 1009
   * @param closedBy told the reason of each close, for the metrics
   */
  FrameGuard(
      long maxMessageBytes, String tooLargeFrame, java.util.function.Consumer<String> closedBy) {
    this.maxMessageBytes = maxMessageBytes;
    this.tooLargeFrame = tooLargeFrame;
    this.closedBy = closedBy;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      frame.release(); // the close is on its way: nothing more reaches the session
      return;
    }
    boolean text = frame instanceof TextWebSocketFrame;
    boolean data =
        text
            || frame instanceof BinaryWebSocketFrame
            || (frame instanceof ContinuationWebSocketFrame && (inText || inBinary));
    if (!data) {
      ctx.fireChannelRead(msg); // ping, pong, close
      return;
    }
    if (!(frame instanceof ContinuationWebSocketFrame)) {
      messageBytes = 0;
      utf8.reset();
      inText = text;
      inBinary = !text;
    }
    ByteBuf payload = frame.content();
    messageBytes += payload.readableBytes();
    if (messageBytes > maxMessageBytes) {
      frame.release();
      close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "frame-too-large", tooLargeFrame);
      return;
    }
    if (inText && (!utf8.accept(payload) || (frame.isFinalFragment() && !utf8.complete()))) {
      frame.release();
      close(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "invalid-utf8", null);
      return;
    }
    if (frame.isFinalFragment()) {
      inText = false;
      inBinary = false;
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * The frame decoder refused a frame by its header (over quarkus.websockets-next.server
   * .max-frame-size, or not valid WebSocket): answered like an oversized message (or 1002), where
   * Vert.x would drop the connection without a word.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      if (!closing) {
        boolean tooBig =
            corrupt.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
        close(
            ctx,
            tooBig ? WebSocketCloseStatus.MESSAGE_TOO_BIG : WebSocketCloseStatus.PROTOCOL_ERROR,
            tooBig ? "frame-too-large" : "protocol-error",
            tooBig ? tooLargeFrame : null);
      }
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void close(
      ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason, String errorFrame) {
    closing = true;
    closedBy.accept(reason);
    LOG.debugf("closing signalling socket %s: %s", ctx.channel().remoteAddress(), reason);
    if (errorFrame != null) {
      ctx.write(new TextWebSocketFrame(errorFrame));
    }
    // closed from here, past Vert.x, which would otherwise wait for the client's close frame
    ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason))
        .addListener(done -> ctx.close());
  }
}
