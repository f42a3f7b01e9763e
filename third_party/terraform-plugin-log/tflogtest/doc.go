// Copyright IBM Corp. 2021, 2026
// SPDX-License-Identifier: MPL-2.0

// Package tflogtest provides functionality for unit testing of provider
// logging.
package tflogtest
