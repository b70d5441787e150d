/**
 * Paper 003 (Adhikari et al., <i>Machine learning in and out of equilibrium</i>): minibatch SGD with and without
 * replacement as a non-equilibrium steady state, its Fokker–Planck theory (D, Σ, C, σ), the earthquake model, and
 * the SGLD/SGWORLD samplers, on small models held in plain double arrays ({@link org.speedlimits.ness.NessModel}).
 */
package org.speedlimits.ness;
