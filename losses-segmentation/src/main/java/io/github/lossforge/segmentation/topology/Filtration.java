package io.github.lossforge.segmentation.topology;

import io.github.lossforge.core.Choice;

/** The filtration of the persistence-diagram losses, written as its word in the registry ({@code filtration}). */
public enum Filtration implements Choice {
    /** Superlevel sets: high values enter first (foreground probabilities). */
    SUPERLEVEL,
    /** Sublevel sets: low values enter first. */
    SUBLEVEL
}
