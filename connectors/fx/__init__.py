"""ECB euro foreign exchange reference rates (the reporting-currency conversion source)."""
