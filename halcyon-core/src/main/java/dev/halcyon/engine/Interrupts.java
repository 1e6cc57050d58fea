package dev.halcyon.engine;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Optional;

/**
 * Turns the ways an interrupt surfaces inside a run (a file channel closed by the interrupt, an
 * interrupted read, a failure while the thread's interrupt flag is set) into the one {@link
 * InterruptedException} the engine documents, with a message saying where the run stopped.
 */
final class Interrupts {
  private Interrupts() {}

  /**
   * The {@link InterruptedException} to throw instead of {@code failure}, if it was caused by an
   * interrupt; clears the thread's interrupt flag then, as throwing {@code InterruptedException}
   * promises. {@code during} says what the run was doing, e.g. "archiving …".
   */
  static Optional<InterruptedException> asInterrupt(Throwable failure, String during) {
    boolean flagged = Thread.interrupted();
    if (!flagged && !causedByInterrupt(failure)) {
      return Optional.empty();
    }
    InterruptedException e =
        new InterruptedException(
            "interrupted while "
                + during
                + "; nothing half-done is taken as done: the next run redoes what this one did"
                + " not finish");
    e.initCause(failure);
    return Optional.of(e);
  }

  private static boolean causedByInterrupt(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ClosedByInterruptException
          || t instanceof InterruptedException
          || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
        return true;
      }
    }
    return false;
  }
}
