package io.openmeet.bridgeconfig;

/**
 * A configuration could not be rendered; nothing was written. Subclasses say which input to fix.
 * Messages never contain secret values.
 */
public abstract sealed class BridgeConfigException extends RuntimeException
    permits MissingVariableException,
        InvalidVariableException,
        UnknownVariableException,
        RenderedConfigInvalidException {
  private static final long serialVersionUID = 1L;

  BridgeConfigException(String message) {
    super(message);
  }

  BridgeConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
