"""Tips and complaints (举报投诉): the public reports dishonest conduct, protected, routed and tracked."""
