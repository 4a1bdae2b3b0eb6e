"""The book's headline numbers: each one's published value, its source, and its goal.

This table is the one home of every published number and every goal. The chapters
glue published values from it (``ae.published.value("ch02_pca30_sq_err")``, never a
typed 13.87), ``tests/test_notebooks.py`` checks each chapter's stored numbers
against its goals, and ``tools/results_table.py --write`` renders the tables of the
results page (``book/results.md``) from it.

A goal is a claim the chapter makes that its run could have missed; a number the
code fixes (a code size, a parameter count) or a bound that holds by construction
(a distance is never negative, an ELBO on binary data never positive) is no goal:
such a quantity is *reported* (``goal=None``) and shown as such.
"""

from __future__ import annotations

from aelab.goals import (
    Goal,
    Published,
    Quantity,
    above,
    at_least,
    at_most,
    below,
    between,
    misses,
    within,
)

__all__ = ["CHAPTERS", "OTHERS", "Goal", "Published", "Quantity", "misses", "quantity", "value"]

# Hinton & Salakhutdinov (2006): PCA with 30 components, squared error per MNIST test image.
PCA30 = 13.87
# Burda et al. (2015), Table 1: test log-likelihood (k = 5000) of a one-layer VAE and IWAE (k = 50).
BURDA_VAE, BURDA_IWAE = -86.76, -84.78


Q = Quantity  # a short name for the table below


_HS = Published(PCA30, "hinton2006reducing")
_N2N = "lehtinen2018noise2noise"
# clearly better than PCA's codes: by more than 2 % of its accuracy (about 1.8 points)
_ABOVE_PCA = Goal(low=1.02, text="more than 2 % above PCA's probe")
_ON_PAR = Goal(low=-0.2, text="$> -0.2$: at least on par with it")
_TWENTIETH = Goal(high=1 / 20, text="under a twentieth of the fully connected AE's")
_EVERY_SEED = Goal(low=1, closed=True, text="on every seed")
_BELOW_GAP = Goal(high=1, text="below the gap")
_HALF_PCA30 = Goal(
    high=PCA30 / 2, text=f"below half of PCA-30's {PCA30} {{cite:p}}`hinton2006reducing`"
)

# fmt: off
#: Chapter (notebook stem) -> its headline quantities, in the order of the results page.
CHAPTERS: dict[str, list[Quantity]] = {
    "01_autoencoders_and_losses": [
        Q("ch01_scratch_vs_fit_maxdiff", at_most(1e-6),
          note="the hand-written loop and ae.fit, same weights and seed", quick=at_most(1e-6),
          claim="the hand-written training loop and ae.fit give the same losses"),
        Q("ch01_identity_rel_err_letters", below(1), note="per cent: the net copies",
          quick=below(5), claim="an overcomplete autoencoder copies: it reconstructs letters"),
        Q("ch01_gauss_nll_maxdiff", at_most(1e-6), quick=at_most(1e-6),
          claim="the Gaussian NLL is the squared error up to scale and constant"),
        Q("ch01_bernoulli_nll_maxdiff", at_most(1e-6), quick=at_most(1e-6),
          claim="the Bernoulli NLL is the binary cross-entropy"),
        Q("ch01_l2_test_sq_err", below(10), note="a working AE; compare with the BCE row",
          quick=below(20), claim="an autoencoder trained with the squared error reconstructs"),
        Q("ch01_bce_test_sq_err", below(10), note="a working AE; compare with the L2 row",
          quick=below(20), claim="an autoencoder trained with the cross-entropy reconstructs"),
        Q("ch01_l2_minus_bce_sq_err", note="per seed"),
        Q("ch01_l2_minus_bce_sq_err_positive", _EVERY_SEED, of="ch01_n_seeds",
          quick=Goal(low=0.5, closed=True, text="on at least half of the seeds"),
          claim="cross-entropy gives the lower test squared error, seed by seed"),
    ],
    "02_undercomplete_and_pca": [
        Q("ch02_pca30_sq_err", within(PCA30, 0.05), _HS, "reproduce"),
        Q("ch02_linear_ae_sq_err", within(1, 0.005, "within 0.5 % of PCA"),
          of="ch02_pca30_sq_err", quick=within(1, 0.02, "within 2 % of PCA"),
          claim="the linear autoencoder's error is PCA's"),
        Q("ch02_linear_ae_max_angle_deg",
          Goal(high=1.0, text="below 1° {cite:p}`baldi1989neural`"), quick=below(5),
          claim="the linear autoencoder's code spans PCA's subspace"),
        Q("ch02_logistic_linear_sq_err", Goal(7.0, 9.0, True),
          Published(8.01, "hinton2006reducing"), "near the paper"),
        Q("ch02_sigmoid_l2_sq_err", note="the same model trained with the squared error"),
        Q("ch02_deep_ae_sq_err", at_most(3.00),
          Published(3.00, "hinton2006reducing", "3.00 (with RBM pretraining)"),
          "without pretraining (stretch $\\le 2.50$)"),
        Q("ch02_deep_ae_train_sq_err"),
        Q("ch02_deep_ae_seeds_sq_err", at_most(3.00), note="on average over the seeds"),
        Q("ch02_deep_ae_seeds_below_paper", note="seed by seed"),
        Q("ch02_deep_over_logistic", below(0.5), quick=below(1),
          claim="the deep autoencoder's error is below the logistic linear code's"),
        Q("ch02_deep_over_pca", below(0.25), quick=below(0.5),
          claim="the deep autoencoder's error is far below PCA's"),
    ],
    "03_sparse_autoencoders": [
        Q("ch03_none_active_fraction", above(0.5), note="dense", quick=above(0.5),
          claim="without a penalty the overcomplete code is dense"),
        Q("ch03_l1act_active_fraction", below(0.2), note="far below both other rows",
          quick=below(0.2), claim="an L1 penalty on the activations makes the code sparse"),
        Q("ch03_l1w_active_fraction", above(0.3),
          note="stays dense: a weight penalty never counts active units", quick=above(0.3),
          claim="an L1 penalty on the weights leaves the code dense"),
        Q("ch03_none_sq_err", below(15), note="unconstrained reference"),
        Q("ch03_l1act_sq_err", below(15), note="comparable with L1 on the weights"),
        Q("ch03_l1w_sq_err", below(15), note="comparable with L1 on the activations"),
        Q("ch03_penalised_err_ratio", below(1.5), quick=below(1.5),
          claim="the two penalised models reconstruct about equally well"),
        Q("ch03_onehot_over_kmeans", within(1, 0.2, "within 20 % of k-means'"),
          note="one active unit per digit", quick=within(1, 0.25),
          claim="a one-hot code is a clustering: its error is k-means'"),
        Q("ch03_onehot_minus_kmeans", note="per seed: new starting digits for both"),
        Q("ch03_onehot_minus_kmeans_negative", note="seed by seed"),
        Q("ch03_kl_mean_activation", within(1, 0.2, "within 20 % of $\\rho$"),
          Published(None, "ng2011sparse", "the target $\\rho$"), of="ch03_kl_target_rho",
          quick=within(1, 0.3, "within 30 % of $\\rho$"),
          claim="the KL penalty holds the mean activation near its target"),
        Q("ch03_kl_target_rho", note="a setting of the chapter"),
        Q("ch03_none_last_epoch_drop_pct", above(0), note="still falling when training stops"),
    ],
    "04_convolutional_autoencoders": [
        Q("ch04_code_size", note="the same for both models"),
        Q("ch04_conv_sq_err", below(6)),
        Q("ch04_mlp_sq_err", below(6)),
        Q("ch04_err_ratio", at_most(1.10), note="about as good", quick=at_most(1.25),
          claim="the convolutional autoencoder reconstructs about as well as the MLP"),
        Q("ch04_conv_params", _TWENTIETH, of="ch04_mlp_params", quick=_TWENTIETH,
          claim="the convolutional autoencoder has under a twentieth of the MLP's weights"),
        Q("ch04_mlp_params"),
        Q("ch04_conv_seconds"),
        Q("ch04_mlp_seconds"),
        Q("ch04_cb_untrained_transposed",
          Goal(low=0.1, text="$> 0.1$ {cite:p}`odena2016deconvolution`"), quick=above(0.1),
          claim="an untrained transposed convolution paints a checkerboard"),
        Q("ch04_cb_untrained_nearest", below(0.01), quick=below(0.01),
          claim="nearest-neighbour upsampling paints none"),
        Q("ch04_seed_conv_minus_mlp", note="per seed, the full budget"),
        Q("ch04_seed_tconv_minus_conv", note="the two decoders, per seed"),
        Q("ch04_seed_pool_minus_tconv", note="the price of pooling, per seed"),
        Q("ch04_seed_pool_minus_tconv_positive", _EVERY_SEED, of="ch04_n_seeds", quick=_EVERY_SEED,
          claim="max pooling costs accuracy: its error is the higher one on every seed"),
        Q("ch04_seed_shift3_conv_minus_mlp_err", note="digits shifted by 3 pixels, per seed"),
        Q("ch04_seed_shift3_conv_minus_mlp_err_negative", _EVERY_SEED, of="ch04_n_seeds",
          quick=_EVERY_SEED, claim="the convolutional model reconstructs digits shifted by three "
          "pixels better than the fully connected one, on every seed"),
        Q("ch04_seed_shift3_pool_minus_mlp_err", note="the same with max pooling"),
    ],
    "05_denoising_and_noise2noise": [
        Q("ch05_sigma", None, Published(25 / 255, _N2N, "25/255 = 0.0980"),
          "the paper's setting"),
        Q("ch05_psnr_noisy", between(19.5, 21.0), note="about 20.2 dB at this $\\sigma$"),
        Q("ch05_psnr_classical_best", above(21.0),
          Published(None, _N2N, "BM3D (not in scikit-image)"), "on par with both U-Nets"),
        Q("ch05_psnr_n2c", above(21.0)),
        Q("ch05_psnr_n2n", above(21.0)),
        Q("ch05_n2c_gain_db", at_least(6), note="over the noisy input", quick=at_least(6),
          claim="Noise2Clean removes most of the noise (6 dB or more)"),
        Q("ch05_n2n_gain_db", at_least(6), note="over the noisy input", quick=at_least(6),
          claim="Noise2Noise removes most of the noise without clean targets"),
        Q("ch05_n2n_minus_n2c_db", within(0, 0.2), Published(None, _N2N, "within 0.03 dB"),
          quick=within(0, 0.5), claim="Noise2Noise is as good as Noise2Clean"),
        Q("ch05_n2c_minus_classical_db", _ON_PAR, Published(None, _N2N, "both above BM3D")),
        Q("ch05_n2n_minus_classical_db", _ON_PAR, Published(None, _N2N, "both above BM3D")),
        Q("ch05_wide_n2n_minus_classical_db", note="six test images; mean over seeds"),
        Q("ch05_wide_n2c_minus_classical_db", note="six test images; mean over seeds"),
        Q("ch05_wide_n2n_minus_n2c_db", note="six test images; mean over seeds"),
        Q("ch05_score_cosine", above(0.9),
          Published(None, "alain2014regularized", "aligned as $\\sigma \\to 0$"),
          quick=above(0.85), claim="the denoising step points along the score"),
        Q("ch05_probe_gain_gaussian", note="per seed"),
        Q("ch05_probe_gain_masking", note="per seed"),
        Q("ch05_probe_gain_salt_and_pepper", note="per seed"),
        Q("ch05_l1_nearer_prediction", Goal(low=1, closed=True, text="every network"),
          of="ch05_l1_networks", quick=Goal(low=1, closed=True, text="every network"),
          claim="trained with L1 on skewed targets, every denoiser's offset lies nearer to "
          "what its zero-mean twin's errors predict than to the noise's median"),
        Q("ch05_l1_miss_max", note="the largest miss of the networks, grey levels"),
        Q("ch05_small_l1_miss", note="learned minus predicted, per seed"),
        Q("ch05_big_l1_miss", note="learned minus predicted, per seed"),
        Q("ch05_big_minus_small_l1_offset", note="per seed"),
    ],
    "06_dae_markov_chain_sampling": [
        Q("ch06_classifier_test_acc", at_least(0.975), note="about 0.98", quick=at_least(0.95),
          claim="the classifier that judges the chains is accurate"),
        Q("ch06_best_corruption", between(0.1, 0.9), note="not an extreme of the sweep",
          quick=between(0.1, 0.9),
          claim="the chains draw their best samples at a middle corruption level"),
        Q("ch06_switches_per_100", at_least(1), note="the chains mix", quick=at_least(1),
          claim="the chains switch digit class"),
        Q("ch06_classes_visited", at_least(9.5), note="all ten on average", quick=at_least(6),
          claim="a chain visits many digit classes"),
        Q("ch06_sample_quality", None,
          Published(214, "goodfellow2014generative", "Parzen-window estimate 214 nats for a "
                    "deep GSN: context only, not comparable"),
          "as close to the next row as possible"),
        Q("ch06_data_quality", note="the floor"),
    ],
    "07_stacked_autoencoders": [
        Q("ch07_greedy_sq_err", _HALF_PCA30, quick=below(PCA30),
          claim="the greedily pretrained stack beats PCA"),
        Q("ch07_e2e_sq_err", _HALF_PCA30, quick=below(PCA30),
          claim="the same network trained end to end beats PCA"),
        Q("ch07_sdae_sq_err", _HALF_PCA30, quick=below(PCA30),
          claim="the denoising stack beats PCA"),
        Q("ch07_e2e_over_greedy_sq_err", at_most(1.10), note="pretraining not needed",
          quick=at_most(1.10), claim="end-to-end training needs no pretraining"),
        Q("ch07_greedy_minus_e2e_sq_err", note="per seed, over the comparison's seeds"),
        Q("ch07_sdae_minus_e2e_sq_err", note="per seed, over the comparison's seeds"),
        Q("ch07_greedy_minus_e2e_sq_err_positive", _EVERY_SEED, of="ch07_recipe_seeds",
          quick=_EVERY_SEED, claim="end to end beats greedy pretraining on every seed"),
        Q("ch07_sdae_minus_e2e_sq_err_positive", _EVERY_SEED, of="ch07_recipe_seeds",
          quick=_EVERY_SEED, claim="end to end beats the denoising stack on every seed"),
        Q("ch07_probe_acc_pca", between(85, 95), note="the yardstick"),
        Q("ch07_probe_acc_greedy", above(85), hope=_ABOVE_PCA, hope_of="ch07_probe_acc_pca"),
        Q("ch07_probe_acc_e2e", above(85), hope=_ABOVE_PCA, hope_of="ch07_probe_acc_pca"),
        Q("ch07_probe_acc_sdae", above(85), hope=_ABOVE_PCA, hope_of="ch07_probe_acc_pca"),
        Q("ch07_probe_margin_over_pca", above(-2), hope=above(0)),
        Q("ch07_finetune_acc_1pct_pretrained", above(85),
          hope=Goal(low=1, text="above the random start's"),
          hope_of="ch07_finetune_acc_1pct_scratch"),
        Q("ch07_finetune_acc_1pct_scratch", above(85)),
        Q("ch07_finetune_gain_1pct", Goal(-2, 2), hope=above(0)),
        Q("ch07_finetune_gain_1pct_greedy",
          note="per run (pretraining seed × subset): the greedy stack's encoder"),
        Q("ch07_finetune_gain_1pct_e2e",
          note="per run (pretraining seed × subset): the end-to-end autoencoder's encoder"),
        Q("ch07_finetune_gain_10pct", note="per run: 10 % of the labels"),
        Q("ch07_finetune_gain_100pct", note="per run: all labels"),
        Q("ch07_finetune_err_100pct_pretrained", None,
          Published(1.28, "vincent2010stacked", "1.28 (SDAE-3)"),
          "context only: a different protocol"),
        Q("ch07_probe1pct_e2e_minus_pca", note="1 % of the labels, per subset"),
    ],
    "08_vae_elbo": [
        Q("ch08_scratch_vs_package_maxdiff", at_most(1e-5),
          note="the thirty-line VAE and ae.vae, same weights and noise, float64",
          quick=at_most(1e-5), claim="the thirty-line VAE and ae.vae compute the same ELBO"),
        Q("ch08_kl_closed_vs_mc_maxdiff", below(0.02), quick=below(0.02),
          claim="the closed-form KL agrees with its Monte Carlo estimate"),
        Q("ch08_grad_var_score", Goal(87 * 0.97, 87 * 1.03, text="within 3 % of 87"),
          Published(87, text="87 (exact)")),
        Q("ch08_grad_var_reparam", Goal(4 * 0.97, 4 * 1.03, text="within 3 % of 4"),
          Published(4, text="4 (exact)")),
        Q("ch08_vae_var_ratio", above(1), quick=above(1),
          claim="the reparameterised gradient varies less than the score-function one"),
        Q("ch08_1d_gap", note="positive by Jensen's inequality"),
        Q("ch08_1d_is_error", _BELOW_GAP, of="ch08_1d_gap", quick=_BELOW_GAP,
          claim="importance sampling estimates log p(x) better than the ELBO"),
        Q("ch08_bound_gap", above(0), note="test log-likelihood minus test ELBO",
          quick=above(0), claim="the importance-sampled log-likelihood lies above the ELBO"),
        Q("ch08_test_elbo"),
        Q("ch08_test_loglik_is5000", above(BURDA_VAE),
          Published(BURDA_VAE, "burda2015importance",
                    f"{BURDA_VAE} (VAE); {BURDA_IWAE} (IWAE, $k = 50$)"),
          f"stretch $> {BURDA_IWAE}$"),
        Q("ch08_train_seconds"),
        Q("ch08_sigma_entropy_corr",
          note="Spearman: the encoder's spread against the classifier's entropy"),
    ],
    "09_vae_latent_space": [
        Q("ch09_beta", note="a setting of the chapter"),
        Q("ch09_smile_corr", at_least(0.9), quick=at_least(0.6),
          claim="one coordinate of the beta-VAE follows the smile"),
        Q("ch09_pose_corr", at_least(0.9), quick=at_least(0.6),
          claim="one coordinate of the beta-VAE follows the pose"),
        Q("ch09_vae_smile_corr", note="compare with the $\\beta$-VAE"),
        Q("ch09_vae_pose_corr", note="compare with the $\\beta$-VAE"),
        Q("ch09_seeds_beta_smile_corr", note="$\\beta$-VAE, mean over the seeds"),
        Q("ch09_seeds_vae_smile_corr", note="plain VAE, mean over the seeds"),
        Q("ch09_beta_minus_vae_smile_corr", note="per seed"),
        Q("ch09_beta_minus_vae_smile_corr_positive", note="seed by seed"),
        Q("ch09_beta_minus_vae_pose_corr", above(0), note="on average over the seeds",
          quick=above(0),
          claim="on average over the seeds, the beta-VAE follows the pose more closely"),
        Q("ch09_beta_minus_vae_pose_corr_positive", note="seed by seed"),
        Q("ch09_kl_kl", below(0.1), note="the posterior is the prior", quick=below(0.1),
          claim="with the KL term alone the posterior collapses to the prior"),
        Q("ch09_rec_minus_both_nll", note="the 2-d models, per seed"),
        Q("ch09_rec_minus_both_nll_negative", note="seed by seed"),
        Q("ch09_data_sharpness"),
        Q("ch09_sample_sharpness", note="below the data"),
        Q("ch09_sharpness_ratio", below(0.9), note="blurrier than the data", quick=below(0.9),
          claim="the VAE's samples are blurrier than the data"),
        Q("ch09_bound_gap", note="positive: the ELBO is only a lower bound"),
        Q("ch09_ae_prior_fd", note="16-d model, reconstruction only; compare with the VAE"),
        Q("ch09_vae_prior_fd",
          Goal(high=0.5, text="under half the reconstruction-only model's"), note="16-d VAE",
          of="ch09_ae_prior_fd",
          quick=Goal(high=0.8, text="under 0.8 times the reconstruction-only model's"),
          claim="the KL term makes prior samples look more like digits"),
        Q("ch09_ae_prior_conf", note="mean classifier confidence, reconstruction only"),
        Q("ch09_vae_prior_conf", note="mean classifier confidence, VAE"),
        Q("ch09_path_mid_vae16", below(1.5),
          note="midway between two test codes, in units of a test code's distance",
          quick=below(1.5),
          claim="a straight path between two codes stays near the codes the decoder was "
          "trained on"),
        Q("ch09_path_mid_rec16", note="the same, reconstruction only"),
        Q("ch09_path_mid_rec_minus_vae", above(0), note="midway, per seed", quick=above(0),
          claim="without the KL term, paths between codes pass farther from the codes the "
          "decoder was trained on"),
        Q("ch09_path_mid_rec_minus_vae_positive", note="seed by seed"),
    ],
}
# fmt: on

#: Published numbers the book compares with that no quantity above measures.
OTHERS: dict[str, Published] = {
    "ch08_iwae_loglik": Published(BURDA_IWAE, "burda2015importance"),
}


def quantity(name: str) -> Quantity:
    """The table's entry for the glue name ``name``."""
    for quantities in CHAPTERS.values():
        for q in quantities:
            if q.name == name:
                return q
    raise KeyError(f"{name!r} is not in aelab.published.CHAPTERS")


def value(name: str) -> float:
    """The published value of ``name`` (a quantity or one of ``OTHERS``), for ``ae.glue``."""
    published = OTHERS[name] if name in OTHERS else quantity(name).published
    if published is None or published.value is None:
        raise KeyError(f"{name!r} has no published number in aelab.published")
    return published.value
