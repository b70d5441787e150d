package org.speedlimits.config;

/** How class labels become regression targets ({@code data.targets}): one-hot e_y, or centred one-hot e_y - 1/K. */
public enum TargetEncoding { ONEHOT, CENTERED }
