/** Retrieval and ranking losses on (query, candidate) score matrices with positive masks. */
package io.github.lossforge.contrastive.retrieval;
