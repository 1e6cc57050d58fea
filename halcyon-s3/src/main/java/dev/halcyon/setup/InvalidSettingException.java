package dev.halcyon.setup;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A setting's value is not one {@link Settings} accepts: the message names the setting (its key in
 * the settings map, e.g. {@code HALCYON_NO_BUILD}), the value and what would be accepted, in
 * library terms; a front end may add how its users set it (the CLI adds the option).
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The key of the setting whose value was refused. */
  private final String setting;

  /**
   * A refusal of {@code setting}'s value, saying why in {@code message}.
   *
   * @param setting the setting's key in the settings map, e.g. {@code HALCYON_NO_BUILD}
   * @param message one line naming the setting, the value given and what is accepted
   */
  public InvalidSettingException(String setting, String message) {
    super(message);
    this.setting = checkNotNull(setting, "setting");
  }

  /**
   * Like {@link #InvalidSettingException(String, String)}, keeping the parser's {@code cause}.
   *
   * @param setting the setting's key in the settings map, e.g. {@code HALCYON_NO_BUILD}
   * @param message one line naming the setting, the value given and what is accepted
   * @param cause the parser's exception
   */
  public InvalidSettingException(String setting, String message, Throwable cause) {
    super(message, cause);
    this.setting = checkNotNull(setting, "setting");
  }

  /**
   * The key of the setting whose value was refused, e.g. {@code HALCYON_NO_BUILD}.
   *
   * @return the setting's key, as the settings map spells it
   */
  public String setting() {
    return setting;
  }
}
