"""Closed-form gain theory: the numbers the simulations are compared with.

Convention: ``theta += eta * e * x`` (the gradient of e²/2), so Widrow's mu_W = eta/2.
One module per loop: :mod:`~gainsim.theory.gd` (gradient descent and heavy ball on a
quadratic), :mod:`~gainsim.theory.lms` (LMS, NLMS, input correlation),
:mod:`~gainsim.theory.lms_variants` (sign-error and leaky LMS),
:mod:`~gainsim.theory.trackers` (RLS, Kalman local level), :mod:`~gainsim.theory.mrac` and
:mod:`~gainsim.theory.poles` (the z-plane view: poles, spectral radius, regime, delay bound).
Every function is importable from here (``from gainsim import theory; theory.gd_poles``).
"""
from gainsim.theory.gd import (GainRate, HeavyBallTuning, gd_poles, gd_stability_bound,
                               deadbeat_gain, gd_optimal_gain, heavy_ball_poles,
                               polyak_heavy_ball_optimum, gd_regime)
from gainsim.theory.lms import (lms_mean_bound, lms_mean_square_bound, lms_gaussian_white_bound,
                                lms_misadjustment, lms_excess_mse, lms_optimal_tracking_gain,
                                lms_steady_state_tracking_error, lms_white_gaussian_weight_error,
                                ar1_correlation_matrix, eigenvalue_spread, nlms_bound,
                                nlms_misadjustment, nlms_optimal_tracking_step)
from gainsim.theory.lms_variants import (sign_error_steady_state_emse, leaky_lms_mean_bound,
                                         leaky_lms_mean_weights, leaky_lms_bias_error)
from gainsim.theory.trackers import (rls_tracking_excess_mse, rls_optimal_forgetting,
                                     kalman_steady_state_gain, kalman_steady_state_prior_variance,
                                     fixed_gain_local_level_error, decaying_gain_error_growth)
from gainsim.theory.mrac import (mrac_ideal_first_order, mrac_feedforward_gain_bound)
from gainsim.theory.poles import (REGIMES, delay_stability_bound, delayed_gd_poles,
                                  heavy_ball_regime_map, heavy_ball_stability_bound,
                                  nesterov_poles, nesterov_stability_bound, regime,
                                  spectral_radius)

__all__ = ["GainRate", "HeavyBallTuning", "REGIMES", "delay_stability_bound", "delayed_gd_poles",
           "heavy_ball_regime_map", "heavy_ball_stability_bound", "nesterov_poles",
           "nesterov_stability_bound", "regime", "spectral_radius", "ar1_correlation_matrix", "deadbeat_gain",
           "decaying_gain_error_growth", "eigenvalue_spread", "fixed_gain_local_level_error",
           "gd_optimal_gain", "gd_poles", "gd_regime", "gd_stability_bound", "heavy_ball_poles",
           "kalman_steady_state_gain", "leaky_lms_bias_error", "leaky_lms_mean_bound",
           "leaky_lms_mean_weights", "sign_error_steady_state_emse", "kalman_steady_state_prior_variance", "lms_excess_mse",
           "lms_gaussian_white_bound", "lms_mean_bound", "lms_mean_square_bound",
           "lms_misadjustment", "lms_optimal_tracking_gain", "lms_steady_state_tracking_error",
           "lms_white_gaussian_weight_error", "mrac_feedforward_gain_bound",
           "mrac_ideal_first_order", "nlms_bound", "nlms_misadjustment",
           "nlms_optimal_tracking_step",
           "polyak_heavy_ball_optimum", "rls_optimal_forgetting", "rls_tracking_excess_mse"]
