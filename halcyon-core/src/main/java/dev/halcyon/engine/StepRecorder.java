package dev.halcyon.engine;

import dev.halcyon.layer.LayerKind;

/**
 * Forwards to the run's listener and remembers the last step, so an interrupted run can say where
 * it stopped. {@link #step} is called from the run's thread; {@link #lastStep} is read by it too.
 */
final class StepRecorder implements EngineListener {
  private final EngineListener delegate;
  private volatile String lastStep = "starting the run";

  StepRecorder(EngineListener delegate) {
    this.delegate = delegate;
  }

  /** The last step reported, e.g. "archiving …", lower-case as the engine writes them. */
  String lastStep() {
    return lastStep;
  }

  @Override
  public void step(String message) {
    lastStep = message;
    delegate.step(message);
  }

  @Override
  public void layerStarted(LayerKind kind) {
    delegate.layerStarted(kind);
  }

  @Override
  public void layerReady(LayerOutcome outcome) {
    delegate.layerReady(outcome);
  }

  @Override
  public void transferred(String key, long bytes, long total) {
    delegate.transferred(key, bytes, total);
  }

  @Override
  public void warning(String message) {
    delegate.warning(message);
  }
}
