/** Retrieval and ranking losses on (query, candidate) score matrices with positive masks. */
@NullMarked
package io.github.lossforge.contrastive.retrieval;

import org.jspecify.annotations.NullMarked;
