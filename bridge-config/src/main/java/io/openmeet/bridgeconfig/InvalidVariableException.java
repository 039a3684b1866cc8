package io.openmeet.bridgeconfig;

/** A value does not have the shape its variable requires: correct the value. */
public final class InvalidVariableException extends BridgeConfigException {
  private static final long serialVersionUID = 1L;

  private final transient RenderVariable variable;

  InvalidVariableException(RenderVariable variable, String value, String reason) {
    super(
        "invalid "
            + variable.name()
            + (variable.kind() == VariableKind.SECRET ? "" : " '" + value + "'")
            + ": "
            + reason);
    this.variable = variable;
  }

  /** The variable whose value was rejected. */
  public RenderVariable variable() {
    return variable;
  }
}
